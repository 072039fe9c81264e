using ManufacturingOrchestration.Engine.Storage;
using Npgsql;

namespace ManufacturingOrchestration.Storage.PostgreSql;

/// <summary>
/// The group commit: one transaction, three round trips whatever the number of steps. First the reads the batch depends
/// on — the fence check of the fenced commits, which share-locks their lease rows (see <see cref="ReadHeadsAsync"/>), the
/// stored version of each key whose first commit writes no state, and each key's last audit sequence — after which the
/// versions and audit chains are checked in memory, before anything is written. Then every step's rows in one batch: the
/// state write that is also the version check (an insert only where the key is new, an update only of the expected
/// version; a write that changed no row rolls the whole transaction back), the waiting index, processed events, outbox
/// commands, timers, dead letters — each table's rows in ordinal order of their keys, whatever the order of the batch, so
/// that two batches over the same keys (two nodes during a takeover) lock them in the same order and one waits for the
/// other instead of deadlocking. Last, the rows whose positions must become visible in order: under the inbox lock the
/// follow-up events, under the audit lock the audit records — both transaction-scoped advisory locks, taken in that
/// order, after every other write, so a transaction holding them never waits for a row another one holds, and released
/// only when the commit is done.
/// </summary>
public sealed partial class PostgreSqlOrchestrationStore
{
    /// <inheritdoc />
    public async ValueTask CommitAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commits);
        cancellationToken.ThrowIfCancellationRequested();
        if (commits.Count == 0)
        {
            return;
        }

        // Everything that costs CPU and can be checked without the database happens before a connection is taken.
        var prepared = new PreparedCommit[commits.Count];
        for (var i = 0; i < commits.Count; i++)
        {
            prepared[i] = Prepare(commits[i]);
        }

        await WriteAsync(
            async (connection, transaction) =>
            {
                var heads = await ReadHeadsAsync(connection, transaction, prepared, cancellationToken).ConfigureAwait(false);
                CheckVersions(prepared, heads.Versions);
                var brokenChain = BrokenAuditChain(prepared, heads.AuditSequences);
                await WriteRowsAsync(connection, transaction, prepared, cancellationToken).ConfigureAwait(false);
                if (brokenChain is not null)
                {
                    // Read before the state writes took their rows, the heads may be another transaction's that committed
                    // since (its own version check made this batch's state writes fail above, so that conflict wins). Read
                    // again under the row locks; a chain that still does not continue is the caller's error.
                    var reread = await ReadHeadsAsync(connection, transaction, prepared, cancellationToken).ConfigureAwait(false);
                    if (BrokenAuditChain(prepared, reread.AuditSequences) is { } message)
                    {
                        throw new ArgumentException(message, nameof(commits));
                    }
                }

                await AppendOrderedAsync(connection, transaction, prepared, cancellationToken).ConfigureAwait(false);
                return 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The batch's first round trip. Checks every fenced commit of the batch against its partition's lease row, before the
    /// batch writes anything, and keeps each matching row share-locked until the transaction ends; throws
    /// <see cref="LeaseLostException"/> for the first commit whose fence no longer matches. Then reads the stored versions
    /// and audit heads the batch is checked against.
    /// </summary>
    /// <remarks>
    /// Why this fences a node that lost its lease: the lease row only changes hands by an UPDATE of its owner or epoch (a
    /// takeover or a release), which the <c>leases_fence</c> unique index makes key columns, so FOR KEY SHARE conflicts with
    /// that UPDATE's row lock — and not with a renewal by the holder, which changes only <c>until</c> and so never waits for
    /// the holder's own commits. Either the check takes the share lock first — then the takeover waits until this transaction has committed or rolled back, so
    /// the new epoch begins after the commit — or the takeover updated the row first — then the check, under READ
    /// COMMITTED, waits for the takeover to end and evaluates its WHERE against the row the takeover left, whose epoch (or
    /// owner) no longer matches, so no row comes back and nothing is written. No commit lands after a newer epoch exists.
    /// Share locks do not conflict with each other, and the takeover is one statement that holds nothing else, so the
    /// check adds no deadlock with other commits.
    /// </remarks>
    private async ValueTask<BatchHeads> ReadHeadsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PreparedCommit[] prepared, CancellationToken cancellationToken)
    {
        var fenced = new List<StepCommit>();
        var fenceKeys = new List<string>();
        var fenceOwners = new List<string>();
        var fenceEpochs = new List<long>();
        var checkedFences = new HashSet<(string LeaseKey, string Owner, long Epoch)>();
        var versionKeys = new List<string>();
        var auditKeys = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var seenAudit = new HashSet<string>(StringComparer.Ordinal);
        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = _commandTimeout };
        foreach (var commit in prepared)
        {
            var key = commit.Commit.PartitionKey;

            // One check per distinct fence: the commits of one bucket share its lease.
            if (commit.Commit.Fence is { } fence && checkedFences.Add((fence.LeaseKey ?? key, fence.Owner, fence.Epoch)))
            {
                fenced.Add(commit.Commit);
                fenceKeys.Add(fence.LeaseKey ?? key);
                fenceOwners.Add(fence.Owner);
                fenceEpochs.Add(fence.Epoch);
            }

            // A key's stored version is needed only when its first commit of the batch writes no state: a state write
            // is its own version check.
            if (seen.Add(key) && commit.State is null)
            {
                versionKeys.Add(key);
            }

            if (commit.Audit.Length > 0 && seenAudit.Add(key))
            {
                auditKeys.Add(key);
            }
        }

        // Every fence in one statement: the lease rows that still match, share-locked (the number of each fence is
        // returned, so the first that no longer matches is the one reported).
        if (fenced.Count > 0)
        {
            batch.BatchCommands.Add(Batch(
                "SELECT f.n FROM §leases AS l JOIN unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS f(partition_key, owner, epoch, n) "
                    + "ON l.partition_key = f.partition_key AND l.owner = f.owner AND l.epoch = f.epoch FOR KEY SHARE OF l",
                TextArray(fenceKeys),
                TextArray(fenceOwners),
                BigintArray(fenceEpochs)));
        }

        // After the fence checks, in the same round trip: a statement of a batch runs only after the ones before it.
        if (versionKeys.Count > 0)
        {
            batch.BatchCommands.Add(Batch("SELECT k, (SELECT version FROM §partitions WHERE partition_key = k) FROM unnest($1) AS k", TextArray(versionKeys)));
        }

        if (auditKeys.Count > 0)
        {
            batch.BatchCommands.Add(Batch("SELECT k, (SELECT MAX(sequence) FROM §audit WHERE partition_key = k) FROM unnest($1) AS k", TextArray(auditKeys)));
        }

        var heads = new BatchHeads(new Dictionary<string, long>(StringComparer.Ordinal), new Dictionary<string, long>(StringComparer.Ordinal));
        if (batch.BatchCommands.Count == 0)
        {
            return heads;
        }

        await using var rows = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var first = true;
        async ValueTask NextAsync()
        {
            if (!first)
            {
                await rows.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }

            first = false;
        }

        if (fenced.Count > 0)
        {
            await NextAsync().ConfigureAwait(false);
            var held = new HashSet<long>();
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                held.Add(rows.GetInt64(0));
            }

            for (var i = 0; i < fenced.Count; i++)
            {
                if (!held.Contains(i + 1))
                {
                    throw new LeaseLostException(fenced[i].PartitionKey, fenced[i].Fence!);
                }
            }
        }

        foreach (var (keys, into) in new[] { (versionKeys, heads.Versions), (auditKeys, heads.AuditSequences) })
        {
            if (keys.Count == 0)
            {
                continue;
            }

            await NextAsync().ConfigureAwait(false);
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                into[rows.GetString(0)] = rows.IsDBNull(1) ? 0 : rows.GetInt64(1);
            }
        }

        return heads;
    }

    /// <summary>
    /// Applies the batch's commits in order to the versions read and throws <see cref="ConcurrencyConflictException"/>,
    /// before anything is written, for a commit that does not continue its key's version. A commit that writes its state
    /// is checked by the database too: its write must change exactly one row (see <see cref="WriteRowsAsync"/>), which
    /// covers the versions not read here.
    /// </summary>
    private static void CheckVersions(PreparedCommit[] prepared, Dictionary<string, long> stored)
    {
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var commit in prepared)
        {
            var key = commit.Commit.PartitionKey;
            if ((versions.TryGetValue(key, out var current) || stored.TryGetValue(key, out current)) && current != commit.Commit.ExpectedVersion)
            {
                throw new ConcurrencyConflictException(key, commit.Commit.ExpectedVersion, current);
            }

            versions[key] = commit.State is not null ? commit.Commit.NewState!.Version : current;
        }
    }

    /// <summary>The first audit record of the batch that does not continue its key's chain from the stored heads, in words; <see langword="null"/> when every chain continues.</summary>
    private static string? BrokenAuditChain(PreparedCommit[] prepared, Dictionary<string, long> stored)
    {
        var heads = new Dictionary<string, long>(stored, StringComparer.Ordinal);
        foreach (var commit in prepared)
        {
            if (commit.Audit.Length == 0)
            {
                continue;
            }

            var key = commit.Commit.PartitionKey;
            var count = heads[key];
            foreach (var record in commit.Commit.Audit)
            {
                if (record.Sequence != count + 1)
                {
                    return $"Audit record {record.Sequence} of '{key}' does not continue the chain at {count + 1}; nothing was committed.";
                }

                count = record.Sequence;
            }

            heads[key] = count;
        }

        return null;
    }

    private PreparedCommit Prepare(StepCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        commit.ThrowIfInconsistent();
        byte[]? state = null;
        IReadOnlyCollection<string> waiting = [];
        if (commit.NewState is { } newState)
        {
            state = StoredRecordJson.Write(newState);
            waiting = WaitingValues(newState);
        }

        var commands = new PreparedCommand[commit.NewCommands.Count + commit.UpdatedCommands.Count];
        var c = 0;
        foreach (var entry in commit.NewCommands)
        {
            commands[c++] = PrepareCommand(entry, isUpdate: false);
        }

        foreach (var entry in commit.UpdatedCommands)
        {
            commands[c++] = PrepareCommand(entry, isUpdate: true);
        }

        var audit = new byte[commit.Audit.Count][];
        for (var i = 0; i < audit.Length; i++)
        {
            audit[i] = StoredRecordJson.Write(commit.Audit[i]);
        }

        var followUps = new byte[commit.FollowUpEvents.Count][];
        for (var i = 0; i < followUps.Length; i++)
        {
            followUps[i] = _serializer.SerializeToUtf8Bytes(commit.FollowUpEvents[i].Envelope);
        }

        var deadLetters = new byte[commit.DeadLetters.Count][];
        for (var i = 0; i < deadLetters.Length; i++)
        {
            deadLetters[i] = StoredRecordJson.Write(commit.DeadLetters[i]);
        }

        return new PreparedCommit(commit, state, waiting, commands, audit, followUps, deadLetters);
    }

    private static PreparedCommand PrepareCommand(OutboxEntry entry, bool isUpdate)
    {
        ArgumentNullException.ThrowIfNull(entry);

        // An update writes only the life of a stored command: its request is copied only if the store never saw it.
        return isUpdate
            ? new PreparedCommand(entry, true, [], null)
            : new PreparedCommand(entry, false, entry.Payload.Utf8Json.ToArray(), entry.Compensation is { } compensation ? compensation.Payload.Utf8Json.ToArray() : null);
    }

    /// <summary>The distinct <see cref="WorkflowInstanceState.WaitingFor"/> values of a state's instances.</summary>
    private static IReadOnlyCollection<string> WaitingValues(PartitionState state)
    {
        if (state.Instances.Count == 0)
        {
            return [];
        }

        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instance in state.Instances)
        {
            values.Add(instance.WaitingFor);
        }

        return values;
    }

    /// <summary>
    /// Every row of the batch except the ordered ones, in one round trip and one statement per kind of row whatever the
    /// number of steps (rows passed as arrays and unnested). First the state writes, which are the version check: per key
    /// the batch's last state, inserted where the key's first commit expects it new, else updated only where the stored
    /// version is the one its first commit expects (the commits in between were checked against each other in memory);
    /// both return the keys they wrote, and a key missing from them means another version is stored (or a concurrent
    /// transaction wrote one first: under READ COMMITTED the update waits for it and then finds no expected version), and
    /// the whole transaction is rolled back. Then the waiting index, processed events, outbox commands, timers and dead
    /// letters.
    /// </summary>
    private async ValueTask WriteRowsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PreparedCommit[] prepared, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = _commandTimeout };
        var states = StateWrites.Of(prepared);
        if (states.Inserted.Count > 0)
        {
            batch.BatchCommands.Add(Batch(
                "INSERT INTO §partitions (partition_key, version, state) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[]) ON CONFLICT (partition_key) DO NOTHING RETURNING partition_key",
                TextArray(states.Inserted.Keys),
                BigintArray(states.Inserted.Versions),
                ByteaArray(states.Inserted.States)));
        }

        if (states.Updated.Count > 0)
        {
            batch.BatchCommands.Add(Batch(
                "UPDATE §partitions AS p SET version = u.version, state = u.state FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::bigint[]) AS u(partition_key, version, state, expected) "
                    + "WHERE p.partition_key = u.partition_key AND p.version = u.expected RETURNING p.partition_key",
                TextArray(states.Updated.Keys),
                BigintArray(states.Updated.Versions),
                ByteaArray(states.Updated.States),
                BigintArray(states.Updated.Expected)));

            // The waiting index follows the state it is derived from, in the same transaction.
            batch.BatchCommands.Add(Batch("DELETE FROM §partition_waiting WHERE partition_key = ANY($1::text[])", TextArray(states.Updated.Keys)));
        }

        if (states.WaitingKeys.Count > 0)
        {
            batch.BatchCommands.Add(Batch(
                "INSERT INTO §partition_waiting (partition_key, waiting_for) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
                TextArray(states.WaitingKeys),
                TextArray(states.WaitingValues)));
        }

        var updates = AddRows(batch, prepared);
        if (batch.BatchCommands.Count == 0)
        {
            return;
        }

        string? conflicted = null;
        await using (var rows = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            // The state writes come first and are the only statements that return rows.
            var first = true;
            foreach (var written in new[] { states.Inserted, states.Updated })
            {
                if (written.Count == 0)
                {
                    continue;
                }

                if (!first)
                {
                    await rows.NextResultAsync(cancellationToken).ConfigureAwait(false);
                }

                first = false;
                var returned = new HashSet<string>(StringComparer.Ordinal);
                while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    returned.Add(rows.GetString(0));
                }

                conflicted ??= written.Keys.Find(key => !returned.Contains(key));
            }
        }

        if (conflicted is not null)
        {
            var expected = states.FirstExpected[conflicted];
            throw new ConcurrencyConflictException(conflicted, expected, await StoredVersionAsync(connection, transaction, conflicted, cancellationToken).ConfigureAwait(false));
        }

        if (updates is not null && updates.Statement.RecordsAffected < updates.Commands.Count)
        {
            // Updates of commands this store never saw (the contract keeps them whole): write those, in the same transaction.
            await using var unseen = new NpgsqlBatch(connection, transaction) { Timeout = _commandTimeout };
            unseen.BatchCommands.Add(WriteCommands(updates.Commands.ConvertAll(static entry => PrepareCommand(entry, isUpdate: false)), KeepUnseenCommandsSql));
            await unseen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The batch's processed events, commands, timers and dead letters.</summary>
    /// <returns>The statement of the updated commands, if there are any.</returns>
    private CommandUpdates? AddRows(NpgsqlBatch batch, PreparedCommit[] prepared)
    {
        // An event whose step planned commands keeps its envelope until pruned: it may have to be decided again when a
        // target refuses one of them as stale (ReadEventAsync).
        var processedEvents = new List<(EventKey Key, bool Keep)>();
        foreach (var commit in prepared)
        {
            foreach (var processed in commit.Commit.ProcessedEvents)
            {
                processedEvents.Add((processed, commit.Commit.NewCommands.Count > 0));
            }
        }

        // In key order, as every row the batch locks (see the class).
        processedEvents.Sort(static (a, b) => string.CompareOrdinal(a.Key.Source, b.Key.Source) is var bySource and not 0 ? bySource : string.CompareOrdinal(a.Key.Id, b.Key.Id));
        var processedSources = processedEvents.ConvertAll(static e => e.Key.Source);
        var processedIds = processedEvents.ConvertAll(static e => e.Key.Id);
        var keepEnvelopes = processedEvents.ConvertAll(static e => e.Keep);

        if (processedIds.Count > 0)
        {
            // Found by the unique (source, event_id) index, one probe per event. A condition on `processed` here would let
            // the planner pick the partial indexes over pending events, whose statistics (taken when few were pending)
            // promise one row: it then hashes the whole backlog at every commit. An event processed already keeps its
            // envelope as it is.
            batch.BatchCommands.Add(Batch(
                "UPDATE §inbox AS i SET processed = true, envelope = CASE WHEN u.keep OR i.processed THEN i.envelope END FROM unnest($1::text[], $2::text[], $3::boolean[]) AS u(source, event_id, keep) "
                    + "WHERE i.source = u.source AND i.event_id = u.event_id",
                TextArray(processedSources),
                TextArray(processedIds),
                BooleanArray(keepEnvelopes)));
        }

        var updates = AddCommands(batch, prepared);
        AddTimersAndDeadLetters(batch, prepared);
        return updates;
    }

    /// <summary>
    /// The batch's outbox rows, one statement for the new commands and one for the updated ones. A key written more than
    /// once in the batch is written once, as the commits in order would leave it: a new command replaces every column, an
    /// update changes only the life of what is there (of the command planned earlier in the batch, if it was).
    /// </summary>
    /// <returns>The statement of the updated commands, if there are any.</returns>
    private CommandUpdates? AddCommands(NpgsqlBatch batch, PreparedCommit[] prepared)
    {
        var rows = new List<PreparedCommand>();
        Dictionary<string, int>? index = null;
        foreach (var commit in prepared)
        {
            foreach (var command in commit.Commands)
            {
                index ??= new Dictionary<string, int>(StringComparer.Ordinal);
                var key = command.Entry.IdempotencyKey;
                if (!index.TryGetValue(key, out var at))
                {
                    index[key] = rows.Count;
                    rows.Add(command);
                }
                else if (!command.IsUpdate)
                {
                    rows[at] = command;
                }
                else
                {
                    var earlier = rows[at];
                    var entry = command.Entry;
                    rows[at] = earlier with
                    {
                        Entry = earlier.Entry with { Status = entry.Status, Attempts = entry.Attempts, NextAttemptAt = entry.NextAttemptAt, LastError = entry.LastError },
                    };
                }
            }
        }

        // In key order, as every row the batch locks (see the class).
        rows.Sort(static (a, b) => string.CompareOrdinal(a.Entry.IdempotencyKey, b.Entry.IdempotencyKey));
        var planned = rows.FindAll(static row => !row.IsUpdate);
        if (planned.Count > 0)
        {
            batch.BatchCommands.Add(WriteCommands(planned, UpsertCommandsSql));
        }

        var updated = rows.FindAll(static row => row.IsUpdate).ConvertAll(static row => row.Entry);
        if (updated.Count == 0)
        {
            return null;
        }

        var statement = UpdateCommands(updated);
        batch.BatchCommands.Add(statement);
        return new CommandUpdates(statement, updated);
    }

    /// <summary>
    /// The batch's timers and dead letters (rare: one statement each), each id written once, as the commits in order would
    /// leave it (a timer scheduled and then cancelled is deleted; the last dead letter of an id is kept), in key order as
    /// every row the batch locks (see the class).
    /// </summary>
    private void AddTimersAndDeadLetters(NpgsqlBatch batch, PreparedCommit[] prepared)
    {
        SortedDictionary<string, DurableTimer?>? timers = null;
        SortedDictionary<string, (DeadLetter DeadLetter, byte[] Record)>? deadLetters = null;
        foreach (var commit in prepared)
        {
            foreach (var timer in commit.Commit.Timers)
            {
                (timers ??= new(StringComparer.Ordinal))[timer.Id] = timer;
            }

            foreach (var timerId in commit.Commit.CancelledTimers)
            {
                (timers ??= new(StringComparer.Ordinal))[timerId] = null;
            }

            for (var i = 0; i < commit.DeadLetters.Length; i++)
            {
                (deadLetters ??= new(StringComparer.Ordinal))[commit.Commit.DeadLetters[i].Id] = (commit.Commit.DeadLetters[i], commit.DeadLetters[i]);
            }
        }

        foreach (var (timerId, timer) in (IEnumerable<KeyValuePair<string, DurableTimer?>>?)timers ?? [])
        {
            batch.BatchCommands.Add(timer is null
                ? Batch("DELETE FROM §timers WHERE id = $1", Text(timerId))
                : Batch(
                    "INSERT INTO §timers (id, partition_key, due_at, purpose, data) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET partition_key = excluded.partition_key, due_at = excluded.due_at, purpose = excluded.purpose, data = excluded.data",
                    Text(timer.Id),
                    Text(timer.PartitionKey),
                    Bigint(timer.DueAt.UtcTicks),
                    Text(timer.Purpose),
                    Text(timer.Data)));
        }

        foreach (var (deadLetter, record) in (IEnumerable<(DeadLetter DeadLetter, byte[] Record)>?)deadLetters?.Values ?? [])
        {
            batch.BatchCommands.Add(Batch(
                "INSERT INTO §dead_letters (id, partition_key, site, at, is_open, record) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET partition_key = excluded.partition_key, site = excluded.site, at = excluded.at, is_open = excluded.is_open, record = excluded.record",
                Text(deadLetter.Id),
                Text(deadLetter.PartitionKey),
                Text(deadLetter.Site),
                Bigint(deadLetter.At.UtcTicks),
                Bool(deadLetter.IsOpen),
                Bytea(record)));
        }
    }

    /// <summary>The follow-up events and the audit records of the whole batch, each under its advisory lock, in one round trip.</summary>
    private async ValueTask AppendOrderedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PreparedCommit[] prepared, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = _commandTimeout };
        if (Array.Exists(prepared, static p => p.FollowUps.Length > 0))
        {
            var events = new List<InboxEvent>();
            var envelopes = new List<byte[]>();
            foreach (var commit in prepared)
            {
                for (var i = 0; i < commit.FollowUps.Length; i++)
                {
                    events.Add(commit.Commit.FollowUpEvents[i]);
                    envelopes.Add(commit.FollowUps[i]);
                }
            }

            batch.BatchCommands.Add(Batch("SELECT pg_advisory_xact_lock($1)", Bigint(_sql.InboxLockKey)));
            batch.BatchCommands.Add(InsertInbox(events, envelopes, returning: false));
            batch.BatchCommands.Add(Batch("SELECT pg_notify($1, '')", Text(_sql.InboxChannel)));
        }

        if (Array.Exists(prepared, static p => p.Audit.Length > 0))
        {
            var keys = new List<string>();
            var sequences = new List<long>();
            var actions = new List<string>();
            var recordedAt = new List<long>();
            var records = new List<byte[]>();
            foreach (var commit in prepared)
            {
                for (var i = 0; i < commit.Audit.Length; i++)
                {
                    var record = commit.Commit.Audit[i];
                    keys.Add(record.PartitionKey);
                    sequences.Add(record.Sequence);
                    actions.Add(record.Action);
                    recordedAt.Add(record.RecordedAt.UtcTicks);
                    records.Add(commit.Audit[i]);
                }
            }

            // The feed position (the identity column) follows the order of the rows: the batch's order.
            batch.BatchCommands.Add(Batch("SELECT pg_advisory_xact_lock($1)", Bigint(_sql.AuditLockKey)));
            batch.BatchCommands.Add(Batch(
                "INSERT INTO §audit (partition_key, sequence, action, recorded_at, record) SELECT partition_key, sequence, action, recorded_at, record "
                    + "FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bytea[]) WITH ORDINALITY AS u(partition_key, sequence, action, recorded_at, record, n) ORDER BY n",
                TextArray(keys),
                BigintArray(sequences),
                TextArray(actions),
                BigintArray(recordedAt),
                ByteaArray(records)));
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<long> StoredVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string key, CancellationToken cancellationToken)
    {
        await using var read = Command(connection, transaction, "SELECT version FROM §partitions WHERE partition_key = $1", Text(key));
        return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long stored ? stored : 0;
    }

    /// <summary>What the first round trip of a commit read: the stored version of each key whose first commit writes no state, and each key's last audit sequence (0 when none).</summary>
    private sealed record BatchHeads(Dictionary<string, long> Versions, Dictionary<string, long> AuditSequences);

    /// <summary>A commit with everything serialized, ready for the transaction.</summary>
    private sealed record PreparedCommit(StepCommit Commit, byte[]? State, IReadOnlyCollection<string> Waiting, PreparedCommand[] Commands, byte[][] Audit, byte[][] FollowUps, byte[][] DeadLetters);

    /// <summary>
    /// The state writes of a batch, one per key: the key's last state, inserted where its first commit expects it new
    /// (<see cref="Inserted"/>), else updated where the stored version is the one its first commit expects
    /// (<see cref="Updated"/>); the waiting index of each written state; each key's first expected version.
    /// </summary>
    private sealed class StateWrites
    {
        public StateRows Inserted { get; } = new();

        public StateRows Updated { get; } = new();

        public List<string> WaitingKeys { get; } = [];

        public List<string> WaitingValues { get; } = [];

        public Dictionary<string, long> FirstExpected { get; } = new(StringComparer.Ordinal);

        public static StateWrites Of(PreparedCommit[] prepared)
        {
            var writes = new StateWrites();
            var last = new Dictionary<string, PreparedCommit>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var commit in prepared)
            {
                if (commit.State is not null)
                {
                    if (writes.FirstExpected.TryAdd(commit.Commit.PartitionKey, commit.Commit.ExpectedVersion))
                    {
                        order.Add(commit.Commit.PartitionKey);
                    }

                    last[commit.Commit.PartitionKey] = commit;
                }
            }

            // In key order, as every row the batch locks (see the class); a key's waiting values in order too.
            order.Sort(StringComparer.Ordinal);
            foreach (var key in order)
            {
                var commit = last[key];
                var expected = writes.FirstExpected[key];
                var rows = expected == 0 ? writes.Inserted : writes.Updated;
                rows.Keys.Add(key);
                rows.Versions.Add(commit.Commit.NewState!.Version);
                rows.States.Add(commit.State!);
                rows.Expected.Add(expected);
                var waiting = commit.Waiting.ToList();
                waiting.Sort(StringComparer.Ordinal);
                foreach (var waitingFor in waiting)
                {
                    writes.WaitingKeys.Add(key);
                    writes.WaitingValues.Add(waitingFor);
                }
            }

            return writes;
        }
    }

    /// <summary>State rows as the columns the statement unnests.</summary>
    private sealed class StateRows
    {
        public List<string> Keys { get; } = [];

        public List<long> Versions { get; } = [];

        public List<byte[]> States { get; } = [];

        public List<long> Expected { get; } = [];

        public int Count => Keys.Count;
    }

    /// <summary>
    /// An outbox command with its serialized request; an update changes only the life of a stored command (its
    /// <see cref="Request"/> is empty).
    /// </summary>
    private sealed record PreparedCommand(OutboxEntry Entry, bool IsUpdate, byte[] Request, byte[]? Compensation);

    /// <summary>The statement of a batch's updated commands and the commands it should find.</summary>
    private sealed record CommandUpdates(NpgsqlBatchCommand Statement, List<OutboxEntry> Commands);
}
