using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Tests.Storage;

/// <summary>What every store checks of a commit before writing it.</summary>
public sealed class StepCommitTests
{
    private static PartitionState State(string key, long version) => new() { Key = key, Version = version };

    private static AuditRecord Record(string partitionKey) => new()
    {
        PartitionKey = partitionKey,
        Sequence = 1,
        RecordedAt = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero),
        Actor = "system:orchestrator",
        Action = "processed",
        Reason = "test",
        PreviousHash = new string('0', 64),
        Hash = new string('a', 64),
    };

    [Fact]
    public void ThrowIfInconsistent_StateAndAuditOfThePartition_Passes()
    {
        var commit = new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 2, NewState = State("lot-A", 3), Audit = [Record("lot-A")] };

        commit.Invoking(c => c.ThrowIfInconsistent()).Should().NotThrow();
        new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 2 }.Invoking(c => c.ThrowIfInconsistent()).Should().NotThrow("a commit without a new state is consistent");
    }

    [Theory]
    [InlineData("lot-A", 4)]
    [InlineData("lot-A", 2)]
    [InlineData("lot-B", 3)]
    public void ThrowIfInconsistent_StateOfAnotherKeyOrVersion_Throws(string key, long version)
    {
        var commit = new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 2, NewState = State(key, version) };

        commit.Invoking(c => c.ThrowIfInconsistent()).Should().Throw<ArgumentException>()
            .WithMessage("The new state of 'lot-A' must have key 'lot-A' and version 3.");
    }

    [Fact]
    public void ThrowIfInconsistent_AuditRecordOfAnotherPartition_Throws()
    {
        var commit = new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, Audit = [Record("lot-A"), Record("lot-B")] };

        commit.Invoking(c => c.ThrowIfInconsistent()).Should().Throw<ArgumentException>()
            .WithMessage("Audit record 1 belongs to 'lot-B', not to the committing partition 'lot-A'.");
    }
}
