using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Tests.Audit;

public sealed class AuditHashesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Compute_KnownRecord_MatchesTheDocumentedEncoding()
    {
        // SHA-256 over "mo-audit-v1" and every field, each as a little-endian int32 UTF-8 byte length (-1 for null)
        // followed by its UTF-8 bytes; computed independently of this code base.
        var hash = AuditHashes.Compute(CreateRecord());

        hash.Should().Be("57c8b5760b42ffcef8847f41abe0e77dc2cf5844a5ce604e6ccb42e64c5718df");
    }

    [Fact]
    public void Compute_SameContent_IsDeterministicLowerCaseHex()
    {
        var first = AuditHashes.Compute(CreateRecord());
        var second = AuditHashes.Compute(CreateRecord());

        first.Should().Be(second);
        first.Should().MatchRegex("^[0-9a-f]{64}$");
    }

    [Fact]
    public void Compute_HashFieldDiffers_IsIgnored()
    {
        var record = CreateRecord();

        var hash = AuditHashes.Compute(record with { Hash = "whatever" });

        hash.Should().Be(AuditHashes.Compute(record));
    }

    [Fact]
    public void Compute_SameInstantInAnotherOffset_GivesTheSameHash()
    {
        var record = CreateRecord();

        var hash = AuditHashes.Compute(record with { RecordedAt = record.RecordedAt.ToOffset(TimeSpan.FromHours(2)) });

        hash.Should().Be(AuditHashes.Compute(record));
    }

    [Theory]
    [InlineData("PartitionKey")]
    [InlineData("Sequence")]
    [InlineData("RecordedAt")]
    [InlineData("Actor")]
    [InlineData("Action")]
    [InlineData("Reason")]
    [InlineData("Explanation")]
    [InlineData("Workflow")]
    [InlineData("WorkflowVersion")]
    [InlineData("WorkflowFingerprint")]
    [InlineData("EventSource")]
    [InlineData("EventId")]
    [InlineData("CorrelationId")]
    [InlineData("Before")]
    [InlineData("After")]
    [InlineData("PreviousHash")]
    public void Compute_OneFieldChanged_ChangesTheHash(string field)
    {
        var record = CreateRecord();
        var changed = field switch
        {
            "PartitionKey" => record with { PartitionKey = "lot-B" },
            "Sequence" => record with { Sequence = 2 },
            "RecordedAt" => record with { RecordedAt = record.RecordedAt.AddTicks(1) },
            "Actor" => record with { Actor = "qe-jane" },
            "Action" => record with { Action = "transition-rejected" },
            "Reason" => record with { Reason = "QI to blocked" },
            "Explanation" => record with { Explanation = "rule qi-pass fired" },
            "Workflow" => record with { Workflow = "inspection-failed" },
            "WorkflowVersion" => record with { WorkflowVersion = 2 },
            "WorkflowFingerprint" => record with { WorkflowFingerprint = "abc" },
            "EventSource" => record with { Event = new EventKey("mes://line-4", "evt-1") },
            "EventId" => record with { Event = new EventKey("qms://plant-1", "evt-2") },
            "CorrelationId" => record with { CorrelationId = "corr-2" },
            "Before" => record with { Before = "Blocked" },
            "After" => record with { After = "Blocked" },
            "PreviousHash" => record with { PreviousHash = new string('1', 64) },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        AuditHashes.Compute(changed).Should().NotBe(AuditHashes.Compute(record), $"{field} is covered by the hash");
    }

    [Fact]
    public void Compute_NullAndEmptyField_Differ()
    {
        var record = CreateRecord() with { Explanation = null };

        var hash = AuditHashes.Compute(record with { Explanation = string.Empty });

        hash.Should().NotBe(AuditHashes.Compute(record));
    }

    [Fact]
    public void Compute_TextMovedAcrossAFieldBoundary_Differs()
    {
        var record = CreateRecord();

        var abThenC = AuditHashes.Compute(record with { Actor = "ab", Action = "c" });
        var aThenBc = AuditHashes.Compute(record with { Actor = "a", Action = "bc" });

        abThenC.Should().NotBe(aThenBc, "length prefixes stop a forger from moving text between fields");
    }

    [Fact]
    public void Chain_FromGenesis_AssignsSequenceOneAndLinksToTheGenesisHash()
    {
        var record = AuditHashes.Chain(AuditHead.Genesis, CreateRecord() with { Sequence = 42, PreviousHash = "x", Hash = "y" }, out var head);

        record.Sequence.Should().Be(1);
        record.PreviousHash.Should().Be(AuditHashes.GenesisHash);
        record.Hash.Should().Be(AuditHashes.Compute(record));
        head.Should().Be(new AuditHead { Count = 1, Hash = record.Hash });
    }

    [Fact]
    public void Chain_SecondRecord_LinksToTheFirst()
    {
        var first = AuditHashes.Chain(AuditHead.Genesis, CreateRecord(), out var head);

        var second = AuditHashes.Chain(head, CreateRecord() with { Reason = "second" }, out var newHead);

        second.Sequence.Should().Be(2);
        second.PreviousHash.Should().Be(first.Hash);
        second.Hash.Should().NotBe(first.Hash);
        newHead.Count.Should().Be(2);
        newHead.Hash.Should().Be(second.Hash);
    }

    [Fact]
    public void ComputeCheckpoint_HeadsInAnotherInsertionOrder_GivesTheSameHash()
    {
        var heads = new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = Head(1, 'a'), ["lot-B"] = Head(2, 'b') };
        var reversed = new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-B"] = Head(2, 'b'), ["lot-A"] = Head(1, 'a') };

        var hash = AuditHashes.Compute(CreateCheckpoint(heads));

        hash.Should().Be(AuditHashes.Compute(CreateCheckpoint(reversed)));
        hash.Should().MatchRegex("^[0-9a-f]{64}$");
    }

    [Fact]
    public void ComputeCheckpoint_HeadCountHashOrPreviousHashChanged_ChangesTheHash()
    {
        var checkpoint = CreateCheckpoint(new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = Head(1, 'a') });
        var original = AuditHashes.Compute(checkpoint);

        var otherCount = AuditHashes.Compute(checkpoint with { Heads = new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = Head(2, 'a') } });
        var otherHash = AuditHashes.Compute(checkpoint with { Heads = new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = Head(1, 'c') } });
        var otherKey = AuditHashes.Compute(checkpoint with { Heads = new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-B"] = Head(1, 'a') } });
        var otherPrevious = AuditHashes.Compute(checkpoint with { PreviousHash = new string('9', 64) });
        var otherNumber = AuditHashes.Compute(checkpoint with { Number = 2 });

        new[] { otherCount, otherHash, otherKey, otherPrevious, otherNumber }.Should().NotContain(original).And.OnlyHaveUniqueItems();
    }

    private static AuditHead Head(long count, char digit) => new() { Count = count, Hash = new string(digit, 64) };

    private static AuditCheckpoint CreateCheckpoint(IReadOnlyDictionary<string, AuditHead> heads) => new()
    {
        Number = 1,
        TakenAt = T0,
        Heads = heads,
        PreviousHash = AuditHashes.GenesisHash,
        Hash = string.Empty,
    };

    private static AuditRecord CreateRecord() => new()
    {
        PartitionKey = "lot-A",
        Sequence = 1,
        RecordedAt = T0,
        Actor = "system:test",
        Action = "transition",
        Reason = "QI to unrestricted",
        Explanation = null,
        Workflow = "inspection-passed",
        WorkflowVersion = 1,
        WorkflowFingerprint = null,
        Event = new EventKey("qms://plant-1", "evt-1"),
        CorrelationId = "corr-1",
        Before = "QualityInspection",
        After = "Unrestricted",
        PreviousHash = AuditHashes.GenesisHash,
        Hash = string.Empty,
    };
}
