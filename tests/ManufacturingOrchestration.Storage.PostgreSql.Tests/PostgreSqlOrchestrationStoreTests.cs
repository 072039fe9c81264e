using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using Npgsql;

namespace ManufacturingOrchestration.Storage.PostgreSql.Tests;

/// <summary>What the contract does not say about PostgreSQL: migrations, credentials, durability across stores, concurrency.</summary>
public sealed class PostgreSqlOrchestrationStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
    private readonly PostgreSqlCluster _cluster;

    public PostgreSqlOrchestrationStoreTests(PostgreSqlCluster cluster)
    {
        _cluster = cluster;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenAsync_EmptySchema_CreatesTheSchemaAndRecordsEachMigration()
    {
        var schema = PostgreSqlCluster.NewSchema("migrate");

        await using (await PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(schema), cancellationToken: Ct))
        {
        }

        (await _cluster.ScalarAsync($"SELECT MAX(version) FROM {schema}.mo_schema_version")).Should().Be(PostgreSqlOrchestrationStore.SchemaVersion);
        (await _cluster.ScalarAsync($"SELECT COUNT(*) FROM {schema}.mo_schema_version")).Should().Be((long)PostgreSqlOrchestrationStore.SchemaVersion);
        (await _cluster.ScalarAsync("SELECT COUNT(*) FROM pg_indexes WHERE schemaname = $1 AND indexname IN ('inbox_pending', 'outbox_pending', 'timers_due', 'audit_action')", schema)).Should().Be(4L);
    }

    [Fact]
    public async Task OpenAsync_ExistingSchema_KeepsTheDataAndMigratesNothingAgain()
    {
        var options = _cluster.NewOptions();
        await using (var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct))
        {
            await store.CommitAsync([Step("lot-A", 0)], Ct);
        }

        await using var reopened = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);

        (await reopened.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
        (await _cluster.ScalarAsync($"SELECT COUNT(*) FROM {options.Schema}.mo_schema_version")).Should().Be((long)PostgreSqlOrchestrationStore.SchemaVersion);
    }

    [Fact]
    public async Task OpenAsync_SeveralNodesOpenOneNewSchemaAtOnce_OneMigratesAndAllOpen()
    {
        var schema = PostgreSqlCluster.NewSchema("race");

        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(schema), cancellationToken: Ct), Ct)));

        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        (await _cluster.ScalarAsync($"SELECT COUNT(*) FROM {schema}.mo_schema_version")).Should().Be((long)PostgreSqlOrchestrationStore.SchemaVersion);
    }

    [Fact]
    public async Task OpenAsync_SchemaOfANewerLibrary_IsRefusedAndLeftUnchanged()
    {
        var options = _cluster.NewOptions();
        await using (await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct))
        {
        }

        await _cluster.ExecuteAsync($"INSERT INTO {options.Schema}.mo_schema_version (version, applied_at, library) VALUES (99, 0, 'future')");

        var act = async () => await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);

        var refused = (await act.Should().ThrowAsync<PostgreSqlStoreSchemaException>()).Which;
        refused.FoundVersion.Should().Be(99);
        refused.SupportedVersion.Should().Be(PostgreSqlOrchestrationStore.SchemaVersion);
        refused.ReasonCode.Should().Be(ReasonCodes.StoreSchemaTooNew);
        refused.Message.Should().Contain(options.Schema).And.NotContain(PostgreSqlCluster.Password);
        (await _cluster.ScalarAsync($"SELECT COUNT(*) FROM {options.Schema}.mo_schema_version")).Should().Be((long)PostgreSqlOrchestrationStore.SchemaVersion + 1);
    }

    [Fact]
    public async Task OpenAsync_ConnectionStringWithThePassword_TargetAndSchemaErrorsNameNoPassword()
    {
        var options = new PostgreSqlStoreOptions { ConnectionString = _cluster.ConnectionString, Schema = PostgreSqlCluster.NewSchema("secret"), RetentionWindow = null };
        await using (var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct))
        {
            store.Target.Should().Be($"127.0.0.1:{_cluster.Port}/mo_tests ({options.Schema})");
        }

        await _cluster.ExecuteAsync($"INSERT INTO {options.Schema}.mo_schema_version (version, applied_at, library) VALUES (99, 0, 'future')");
        var act = async () => await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);

        (await act.Should().ThrowAsync<PostgreSqlStoreSchemaException>()).Which.ToString().Should().NotContain(PostgreSqlCluster.Password);
    }

    [Fact]
    public async Task OpenAsync_WrongPassword_FailsWithoutNamingThePassword()
    {
        const string wrong = "Wr0ng-Passw0rd-7f3a";
        var builder = new NpgsqlConnectionStringBuilder(_cluster.ConnectionString) { Password = wrong, Pooling = false };
        var options = new PostgreSqlStoreOptions { ConnectionString = builder.ConnectionString, Schema = PostgreSqlCluster.NewSchema("wrong"), RetentionWindow = null };

        var act = async () => await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);

        var failure = (await act.Should().ThrowAsync<PostgresException>()).Which;
        failure.SqlState.Should().Be(PostgresErrorCodes.InvalidPassword);
        failure.ToString().Should().NotContain(wrong).And.NotContain(PostgreSqlCluster.Password);
    }

    [Theory]
    [InlineData("Bad-Schema", "Schema")]
    [InlineData("1starts_with_digit", "Schema")]
    [InlineData("", "Schema")]
    public void Validate_SchemaThatIsNotAPlainIdentifier_NamesTheSetting(string schema, string named)
    {
        var options = new PostgreSqlStoreOptions { ConnectionString = "Host=localhost;Password=Sup3r-Secret", Schema = schema };

        var act = options.Validate;

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain(named).And.NotContain("Sup3r-Secret");
    }

    [Fact]
    public void Validate_NeitherConnectionStringNorDataSource_SaysOneIsRequired()
    {
        var act = new PostgreSqlStoreOptions().Validate;

        act.Should().Throw<ArgumentException>().WithMessage("*ConnectionString or DataSource is required*");
    }

    [Fact]
    public async Task AcceptAsync_ThenAnotherStoreWithItsOwnConnections_SeesEveryAcceptedEvent()
    {
        var schema = PostgreSqlCluster.NewSchema("durable");
        var options = new PostgreSqlStoreOptions { ConnectionString = _cluster.ConnectionString, Schema = schema, RetentionWindow = null };
        await using (var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct))
        {
            var accepted = new bool[3];
            await store.AcceptAsync([Event("lot-A", "e-1"), Event("lot-B", "e-2"), Event("lot-A", "e-3")], accepted, Ct);
            accepted.Should().OnlyContain(a => a);
        }

        await using var other = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);

        (await other.ReadPendingEventsAsync(null, 0, 10, Ct)).Select(e => e.Key.Id).Should().Equal("e-1", "e-2", "e-3");
        var duplicate = new bool[1];
        await other.AcceptAsync([Event("lot-A", "e-1")], duplicate, Ct);
        duplicate[0].Should().BeFalse();
    }

    [Fact]
    public async Task AcceptAsync_ManyWritersWhileAReaderTailsThePositions_TheReaderMissesNoEvent()
    {
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(), cancellationToken: Ct);
        const int writers = 6;
        const int perWriter = 40;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(90));

        var writing = Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(
            async () =>
            {
                for (var i = 0; i < perWriter; i++)
                {
                    await store.AcceptAsync([Event($"lot-{w}", $"w{w}-{i}")], new bool[1], deadline.Token);
                }
            },
            deadline.Token)));
        var seen = new List<string>();
        var after = 0L;
        while (seen.Count < writers * perWriter)
        {
            // Whether the writers had finished is read before the page: an empty page read while the last write was
            // still committing says nothing, one read after every write had committed ends the tail.
            var finished = writing.IsCompleted;
            var page = await store.ReadPendingEventsAsync(null, after, 50, deadline.Token);
            foreach (var pending in page)
            {
                seen.Add(pending.Key.Id);
                after = pending.Position;
            }

            if (page.Count == 0 && finished)
            {
                break;
            }
        }

        await writing;
        seen.Should().HaveCount(writers * perWriter).And.OnlyHaveUniqueItems("a reader that resumes after the last position it saw must never skip an event committed later with a lower position");
    }

    [Fact]
    public async Task CommitAsync_ManyPartitionsInParallel_AllCommitAndTheFeedKeepsEachChainInOrder()
    {
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(), cancellationToken: Ct);
        const int partitions = 8;
        const int steps = 10;

        await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => Task.Run(
            async () =>
            {
                var key = $"lot-{p}";
                var head = AuditHead.Genesis;
                for (var version = 0; version < steps; version++)
                {
                    await store.CommitAsync([Step(key, version) with { Audit = Audit(key, head, 2, out head) }], Ct);
                }
            },
            Ct)));

        for (var p = 0; p < partitions; p++)
        {
            (await store.LoadPartitionAsync($"lot-{p}", Ct))!.Version.Should().Be(steps);
        }

        var feed = await store.ReadAuditFeedAsync(0, 10_000, Ct);
        feed.Should().HaveCount(partitions * steps * 2);
        feed.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        foreach (var chain in feed.GroupBy(e => e.Record.PartitionKey))
        {
            chain.Select(e => e.Record.Sequence).Should().Equal(Enumerable.Range(1, steps * 2).Select(i => (long)i));
        }

        (await new AuditVerifier(store).VerifyAllAsync(Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task CommitAsync_FollowUpsAndAuditWhileOthersAccept_NoTransactionWaitsForeverAndEveryRowIsThere()
    {
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(), cancellationToken: Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(90));
        const int committers = 4;
        const int steps = 8;

        var committing = Enumerable.Range(0, committers).Select(c => Task.Run(
            async () =>
            {
                var key = $"lot-{c}";
                var head = AuditHead.Genesis;
                for (var version = 0; version < steps; version++)
                {
                    var step = Step(key, version) with
                    {
                        Audit = Audit(key, head, 1, out head),
                        FollowUpEvents = [Event($"lot-follow-{c}", $"follow-{c}-{version}")],
                    };
                    await store.CommitAsync([step], deadline.Token);
                }
            },
            deadline.Token));
        var accepting = Enumerable.Range(0, 2).Select(a => Task.Run(
            async () =>
            {
                for (var i = 0; i < steps * 2; i++)
                {
                    await store.AcceptAsync([Event($"lot-in-{a}", $"in-{a}-{i}")], new bool[1], deadline.Token);
                }
            },
            deadline.Token));

        await Task.WhenAll(committing.Concat(accepting));

        var pending = await store.ReadPendingEventsAsync(null, 0, 1_000, Ct);
        pending.Should().HaveCount((committers * steps) + (2 * steps * 2));
        pending.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        (await store.ReadAuditFeedAsync(0, 1_000, Ct)).Should().HaveCount(committers * steps);
    }

    [Fact]
    public async Task CommitAsync_TwoStoresCommitTheSameVersionAtOnce_OneCommitsAndTheOtherConflicts()
    {
        var schema = PostgreSqlCluster.NewSchema("conflict");
        await using var first = await PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(schema), cancellationToken: Ct);
        await using var second = await PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(schema), cancellationToken: Ct);
        await first.CommitAsync([Step("lot-A", 0)], Ct);

        var outcomes = await Task.WhenAll(new[] { first, second }.Select(store => Task.Run(
            async () =>
            {
                try
                {
                    await store.CommitAsync([Step("lot-A", 1, "from " + store.GetHashCode())], Ct);
                    return null;
                }
                catch (ConcurrencyConflictException conflict)
                {
                    return conflict;
                }
            },
            Ct)));

        outcomes.Count(o => o is null).Should().Be(1);
        outcomes.Single(o => o is not null)!.Actual.Should().Be(2);
        (await first.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(2);
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_OwnershipChangesHands_TheEpochGrowsEachTimeAndOnlyThen()
    {
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(), cancellationToken: Ct);

        (await store.TryAcquireLeaseAsync("lot-A", "node-1", T0.AddSeconds(30), T0, Ct)).Should().BeTrue();
        (await store.ReadLeaseAsync("lot-A", Ct)).Should().Be(("node-1", 1L));
        (await store.TryAcquireLeaseAsync("lot-A", "node-1", T0.AddSeconds(60), T0.AddSeconds(20), Ct)).Should().BeTrue();
        (await store.TryAcquireLeaseAsync("lot-A", "node-2", T0.AddSeconds(90), T0.AddSeconds(40), Ct)).Should().BeFalse();
        (await store.ReadLeaseAsync("lot-A", Ct)).Should().Be(("node-1", 1L), "a renewal by the holder and a refused take keep the epoch");

        (await store.TryAcquireLeaseAsync("lot-A", "node-2", T0.AddSeconds(120), T0.AddSeconds(60), Ct)).Should().BeTrue();
        (await store.ReadLeaseAsync("lot-A", Ct)).Should().Be(("node-2", 2L), "an expired lease taken by another node is a new epoch");

        await store.ReleaseLeaseAsync("lot-A", "node-2", Ct);
        (await store.TryAcquireLeaseAsync("lot-A", "node-2", T0.AddSeconds(150), T0.AddSeconds(70), Ct)).Should().BeTrue();
        (await store.ReadLeaseAsync("lot-A", Ct)).Should().Be(("node-2", 3L), "a released lease taken again, even by its last owner, is a new epoch");
    }

    /// <summary>
    /// A commit marks its processed events by the unique (source, event_id) index, one probe each, even when the table's
    /// statistics were taken while nothing was pending: the partial index over pending events then promises one row, and a
    /// statement that let the planner use it hashed the whole backlog at every commit (found with 3 million prefilled rows:
    /// the update cost grew with the backlog).
    /// </summary>
    [Fact]
    public async Task CommitAsync_BacklogAfterStatisticsSawNonePending_MarksProcessedEventsThroughTheUniqueIndex()
    {
        var options = _cluster.NewOptions();
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);
        var schema = options.Schema;
        await _cluster.ExecuteAsync($"INSERT INTO {schema}.inbox (source, event_id, partition_key, accepted_at, processed) SELECT 'earlier', 'e' || g, 'earlier-' || g, 0, true FROM generate_series(1, 50000) g");
        await _cluster.ExecuteAsync($"ANALYZE {schema}.inbox");
        const int Backlog = 2_000;
        for (var i = 0; i < Backlog; i += 500)
        {
            await store.AcceptAsync(Enumerable.Range(i, 500).Select(n => Event($"lot-{n}", $"e-{n}")).ToList(), new bool[500], Ct);
        }

        async Task<(long EventProbes, long PendingRead)> IndexUseAsync() => (
            (long)(await _cluster.ScalarAsync($"SELECT idx_scan FROM pg_stat_user_indexes WHERE schemaname = '{schema}' AND indexrelname = 'inbox_event'"))!,
            (long)(await _cluster.ScalarAsync($"SELECT SUM(idx_tup_read)::bigint FROM pg_stat_user_indexes WHERE schemaname = '{schema}' AND indexrelname IN ('inbox_pending', 'inbox_pending_partition')"))!);
        var before = await IndexUseAsync();

        await store.CommitAsync([Step("lot-0", 0) with { ProcessedEvents = [new EventKey("qms://plant-1", "e-0")] }, Step("lot-1", 0) with { ProcessedEvents = [new EventKey("qms://plant-1", "e-1")] }], Ct);

        // The server publishes a backend's index counters within seconds of its transaction; wait for the probes to show.
        var after = before;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (after.EventProbes < before.EventProbes + 2)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            after = await IndexUseAsync();
        }

        (after.PendingRead - before.PendingRead).Should().BeLessThan(Backlog, "marking two events processed must not read the backlog");
        (await _cluster.ScalarAsync($"SELECT COUNT(*) FROM {schema}.inbox WHERE processed AND source = 'qms://plant-1'")).Should().Be(2L);
    }

    private static StepCommit Step(string key, long expectedVersion, string? marker = null) => new()
    {
        PartitionKey = key,
        ExpectedVersion = expectedVersion,
        NewState = new PartitionState
        {
            Key = key,
            Version = expectedVersion + 1,
            Values = new Dictionary<string, string>(StringComparer.Ordinal) { ["marker"] = $"\"{marker ?? "v" + (expectedVersion + 1)}\"" },
        },
    };

    private static List<AuditRecord> Audit(string key, AuditHead head, int count, out AuditHead newHead)
    {
        var records = new List<AuditRecord>(count);
        for (var i = 0; i < count; i++)
        {
            records.Add(AuditHashes.Chain(
                head,
                new AuditRecord
                {
                    PartitionKey = key,
                    Sequence = 0,
                    RecordedAt = T0.AddSeconds(head.Count + 1),
                    Actor = "system:test",
                    Action = "transition",
                    Reason = $"step {head.Count + 1}",
                    Workflow = "inspection-passed",
                    WorkflowVersion = 1,
                    Event = new EventKey("qms://plant-1", $"{key}-evt"),
                    CorrelationId = $"corr-{key}",
                    PreviousHash = string.Empty,
                    Hash = string.Empty,
                },
                out head));
        }

        newHead = head;
        return records;
    }

    private static InboxEvent Event(string partitionKey, string id) => new()
    {
        Key = new EventKey("qms://plant-1", id),
        PartitionKey = partitionKey,
        AcceptedAt = T0,
        Envelope = new EventEnvelope
        {
            Id = id,
            Source = "qms://plant-1",
            Type = EventTypes.InspectionPassed,
            Time = T0,
            PartitionKey = partitionKey,
            Data = new InspectionPassed
            {
                InspectionLot = new InspectionLotId($"IL-{partitionKey}"),
                Lot = new LotId(partitionKey),
                Material = new MaterialId("M-100"),
                Site = new SiteId("plant-1"),
            },
        },
    };
}
