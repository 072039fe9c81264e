using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Testing.StoreContract;
using Microsoft.Data.Sqlite;

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

/// <summary>The SQLite store runs the store contract unchanged: a fresh file per test, reopened from the same file.</summary>
public sealed class SqliteOrchestrationStoreContractTests : OrchestrationStoreContractTests
{
    private readonly TempFolder _folder;

    public SqliteOrchestrationStoreContractTests(TempFolder folder)
    {
        _folder = folder;
    }

    protected override ValueTask<IOrchestrationStore> CreateStoreAsync() =>
        ValueTask.FromResult<IOrchestrationStore>(SqliteOrchestrationStore.Open(_folder.NewDatabasePath("contract")));

    [Fact]
    public async Task CommitAsync_AuditRecordsThatDoNotContinueTheStoredChain_ThrowAndCommitNothingOfTheBatch()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-A", 0) with { Audit = NewAudit("lot-A", AuditHead.Genesis, 2, out var head) });
        var gap = NewAudit("lot-A", head with { Count = head.Count + 1 }, 1, out _);
        var repeat = NewAudit("lot-A", AuditHead.Genesis, 1, out _);

        foreach (var records in new[] { gap, repeat })
        {
            var act = async () => await store.CommitAsync([NewStep("lot-B", 0), NewStep("lot-A", 1) with { Audit = records }], Ct);

            await act.Should().ThrowAsync<ArgumentException>().WithMessage("*does not continue the chain at 3*");
            (await store.LoadPartitionAsync("lot-B", Ct)).Should().BeNull();
            (await store.ReadAuditAsync("lot-A", 1, Ct)).Select(r => r.Sequence).Should().Equal(1, 2);
        }
    }

    [Fact]
    public async Task CommitAsync_OneKeysStepsInOneBatch_EachContinuesTheChainTheStepBeforeWrote()
    {
        var store = await NewStoreAsync();
        var first = NewAudit("lot-A", AuditHead.Genesis, 2, out var head);
        var second = NewAudit("lot-A", head, 1, out head);

        await store.CommitAsync([NewStep("lot-A", 0) with { Audit = first }, NewStep("lot-A", 1) with { Audit = second }], Ct);

        (await store.ReadAuditAsync("lot-A", 1, Ct)).Select(r => r.Hash).Should().Equal(first.Concat(second).Select(r => r.Hash));
        (await new AuditVerifier(store).VerifyAllAsync(Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task VerifyAllAsync_CheckpointRowIdsSwappedSoAnOlderOneReadsAsLatest_ReportsCheckpointMissing()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-A", 0) with { Audit = NewAudit("lot-A", AuditHead.Genesis, 1, out var head) });
        var first = Sign(NewCheckpoint(1, AuditHashes.GenesisHash, new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = head }), null);
        await store.AppendCheckpointAsync(first, Ct);
        await CommitAsync(store, NewStep("lot-A", 1) with { Audit = NewAudit("lot-A", head, 1, out head) });
        await store.AppendCheckpointAsync(Sign(NewCheckpoint(2, first.Hash, new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = head }), first), Ct);

        await ExecuteRawAsync(store, "UPDATE audit_checkpoints SET id = 100 WHERE number = 1");

        var violation = (await KeyedVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;
        violation.Kind.Should().Be(AuditViolationKind.CheckpointMissing);
    }

    [Fact]
    public async Task VerifyAllAsync_CheckpointNumberColumnEdited_NoQueryReadsItSoTheLatestCheckpointStillVerifies()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-A", 0) with { Audit = NewAudit("lot-A", AuditHead.Genesis, 1, out var head) });
        await store.AppendCheckpointAsync(Sign(NewCheckpoint(1, AuditHashes.GenesisHash, new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = head }), null), Ct);

        await ExecuteRawAsync(store, "UPDATE audit_checkpoints SET number = 7");

        (await KeyedVerifier(store).VerifyAllAsync(Ct)).IsValid.Should().BeTrue();
        (await store.ReadLatestCheckpointAsync(Ct))!.Number.Should().Be(1, "the number is read from the signed record, not from the column");
    }

    [Fact]
    public async Task VerifyAllAsync_RecordedAtColumnHoldsText_ReportsColumnMismatch()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-A", 0) with { Audit = NewAudit("lot-A", AuditHead.Genesis, 2, out _) });

        await ExecuteRawAsync(store, "UPDATE audit SET recorded_at = 'later' WHERE sequence = 2");

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;
        violation.Kind.Should().Be(AuditViolationKind.ColumnMismatch);
        violation.Sequence.Should().Be(2);
        violation.Column.Should().Be("RecordedAt");
    }

    protected override async ValueTask<bool> TamperAuditColumnAsync(IOrchestrationStore store, string partitionKey, long sequence, AuditColumn column, object value)
    {
        var name = column switch
        {
            AuditColumn.PartitionKey => "partition_key",
            AuditColumn.Sequence => "sequence",
            AuditColumn.Action => "action",
            AuditColumn.RecordedAt => "recorded_at",
            _ => "id",
        };
        await ExecuteRawAsync(store, $"UPDATE audit SET {name} = $value WHERE partition_key = $key AND sequence = $sequence", ("$value", value), ("$key", partitionKey), ("$sequence", sequence));
        return true;
    }

    protected override async ValueTask<bool> ReplaceAuditRecordAsync(IOrchestrationStore store, string partitionKey, long sequence, AuditRecord record)
    {
        await ExecuteRawAsync(store, "UPDATE audit SET record = $record WHERE partition_key = $key AND sequence = $sequence", ("$record", StoredRecordJson.Write(record)), ("$key", partitionKey), ("$sequence", sequence));
        return true;
    }

    protected override async ValueTask<bool> DeleteAuditRecordAsync(IOrchestrationStore store, string partitionKey, long sequence)
    {
        await ExecuteRawAsync(store, "DELETE FROM audit WHERE partition_key = $key AND sequence = $sequence", ("$key", partitionKey), ("$sequence", sequence));
        return true;
    }

    protected override async ValueTask<bool> DeleteCheckpointsAsync(IOrchestrationStore store, IReadOnlyCollection<long> numbers)
    {
        foreach (var number in numbers)
        {
            await ExecuteRawAsync(store, "DELETE FROM audit_checkpoints WHERE number = $number", ("$number", number));
        }

        return true;
    }

    protected override async ValueTask<bool> ReplaceCheckpointAsync(IOrchestrationStore store, long number, AuditCheckpoint checkpoint)
    {
        await ExecuteRawAsync(store, "UPDATE audit_checkpoints SET record = $record WHERE number = $number", ("$record", StoredRecordJson.Write(checkpoint)), ("$number", number));
        return true;
    }

    /// <summary>Runs one statement on the store's file through a connection of its own, as someone with database access would.</summary>
    internal static async Task ExecuteRawAsync(IOrchestrationStore store, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = ((SqliteOrchestrationStore)store).Path, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        (await command.ExecuteNonQueryAsync(Ct)).Should().BeGreaterThan(0, "the tamper statement must change a row");
    }

    protected override async ValueTask<IOrchestrationStore> ReopenStoreAsync(IOrchestrationStore store)
    {
        var sqlite = (SqliteOrchestrationStore)store;
        var path = sqlite.Path;
        await sqlite.DisposeAsync();
        return SqliteOrchestrationStore.Open(path);
    }
}
