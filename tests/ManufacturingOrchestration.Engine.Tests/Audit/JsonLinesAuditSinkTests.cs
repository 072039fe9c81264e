using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Audit;

public sealed class JsonLinesAuditSinkTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 6, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mo-audit-sink-tests-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FilePath => Path.Combine(_folder, "audit", "trail.jsonl");

    [Fact]
    public async Task WriteAsync_Record_AppendsOneLineOfItsJsonAndCreatesTheFolder()
    {
        using var sut = CreateSut();
        var record = new AuditRecord
        {
            PartitionKey = "L-1",
            Sequence = 2,
            RecordedAt = T0,
            Actor = "system:incoming-inspection",
            Action = "transition",
            Reason = "Prüfung failed\nsee evidence",
            Event = new EventKey("qms://plant-1", "evt-1"),
            PreviousHash = "h1",
            Hash = "h2",
        };

        await sut.WriteAsync([record], Ct);

        (await File.ReadAllTextAsync(FilePath, Ct)).Should().Be(
            """{"partitionKey":"L-1","sequence":2,"recordedAt":"2026-11-02T06:00:00+00:00","actor":"system:incoming-inspection","action":"transition","reason":"Prüfung failed\nsee evidence","event":{"source":"qms://plant-1","id":"evt-1"},"previousHash":"h1","hash":"h2"}"""
            + "\n");
    }

    [Fact]
    public async Task WriteAsync_SameRecordsAgain_WritesEachRecordOnce()
    {
        using var sut = CreateSut();
        var a = Chain("L-A", 3);
        var b = Chain("L-B", 2);

        await sut.WriteAsync([a[0], b[0], a[1]], Ct);
        await sut.WriteAsync([b[0], a[1], b[1], a[2]], Ct);
        await sut.WriteAsync([a[2]], Ct);

        (await ReadIdsAsync()).Should().Equal("L-A#1", "L-B#1", "L-A#2", "L-B#2", "L-A#3");
    }

    [Fact]
    public async Task WriteAsync_RedeliveryToANewSinkOverTheFile_SkipsWhatTheFileHolds()
    {
        var a = Chain("L-A", 4);
        var b = Chain("L-B", 2);
        using (var first = CreateSut())
        {
            await first.WriteAsync([a[0], a[1], b[0], a[2]], Ct);
        }

        using var second = CreateSut();
        await second.WriteAsync([b[0], a[2], b[1], a[3]], Ct);

        (await ReadIdsAsync()).Should().Equal("L-A#1", "L-A#2", "L-B#1", "L-A#3", "L-B#2", "L-A#4");
    }

    [Fact]
    public async Task WriteAsync_FileEndsInAnUnfinishedLine_CutsItOffAndWritesTheRecordWhole()
    {
        var a = Chain("L-A", 3);
        using (var first = CreateSut())
        {
            await first.WriteAsync([a[0], a[1]], Ct);
        }

        // A write killed half-way: part of the next line, no line break.
        await File.AppendAllTextAsync(FilePath, """{"partitionKey":"L-A","sequence":3,"recor""", Ct);
        (await ReadIdsAsync()).Should().Equal(["L-A#1", "L-A#2"], "a reader does not take an unfinished line for a record");

        using var second = CreateSut();
        await second.WriteAsync([a[1], a[2]], Ct);

        (await ReadIdsAsync()).Should().Equal("L-A#1", "L-A#2", "L-A#3");
        (await File.ReadAllTextAsync(FilePath, Ct)).Split('\n').Should().HaveCount(4, "three lines, each ending in a line break");
    }

    [Fact]
    public async Task ReadRecordsAsync_WrittenFile_GivesTheRecordsBackAndTheirChainsVerify()
    {
        var a = Chain("L-A", 3);
        var b = Chain("L-B", 2);
        using (var sut = CreateSut())
        {
            await sut.WriteAsync([a[0], b[0], a[1], b[1], a[2]], Ct);
        }

        var records = await ReadAsync();

        records.Should().BeEquivalentTo([a[0], b[0], a[1], b[1], a[2]], o => o.WithStrictOrdering());
        AuditVerifier.VerifyChain("L-A", [.. records.Where(r => r.PartitionKey == "L-A")], null).Should().BeEmpty();
        AuditVerifier.VerifyChain("L-B", [.. records.Where(r => r.PartitionKey == "L-B")], null).Should().BeEmpty();
    }

    [Fact]
    public async Task WriteAsync_FileWithACompleteLineThatIsNotARecord_ThrowsAndLeavesTheFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        await File.WriteAllTextAsync(FilePath, "shift report\n", Ct);
        using var sut = CreateSut();

        var write = async () => await sut.WriteAsync(Chain("L-A", 1), Ct);

        (await write.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which.ReasonCode.Should().Be(ReasonCodes.AuditSinkFileUnreadable);
        (await File.ReadAllTextAsync(FilePath, Ct)).Should().Be("shift report\n");
    }

    [Fact]
    public async Task WriteAsync_FileEndingInTextThatIsNotTheStartOfARecord_ThrowsAndLeavesTheFile()
    {
        using (var first = CreateSut())
        {
            await first.WriteAsync(Chain("L-A", 1), Ct);
        }

        await File.AppendAllTextAsync(FilePath, "notes", Ct);
        var before = await File.ReadAllBytesAsync(FilePath, Ct);
        using var sut = CreateSut();

        var write = async () => await sut.WriteAsync(Chain("L-A", 2), Ct);

        (await write.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which.ReasonCode.Should().Be(ReasonCodes.AuditSinkFileUnreadable);
        (await File.ReadAllBytesAsync(FilePath, Ct)).Should().Equal(before);
    }

    [Fact]
    public async Task WriteAsync_RedeliveryWithinTheWindowAfterReopening_IsRecognised()
    {
        var a = Chain("L-A", 6);
        using (var first = CreateSut(window: 3))
        {
            await first.WriteAsync([a[0], a[1], a[2]], Ct);
            await first.WriteAsync([a[3], a[4]], Ct);
        }

        using var second = CreateSut(window: 3);
        await second.WriteAsync([a[3], a[4], a[5]], Ct);

        (await ReadIdsAsync()).Should().Equal("L-A#1", "L-A#2", "L-A#3", "L-A#4", "L-A#5", "L-A#6");
    }

    [Fact]
    public async Task WriteAsync_BatchLargerThanTheWindow_ThrowsAndWritesNothing()
    {
        using var sut = CreateSut(window: 2);

        var write = async () => await sut.WriteAsync(Chain("L-A", 3), Ct);

        await write.Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*larger than the deduplication window of 'json-lines' (2)*");
        File.Exists(FilePath).Should().BeFalse();
    }

    [Fact]
    public void Constructor_WithoutPath_Throws()
    {
        var create = () => new JsonLinesAuditSink(new JsonLinesAuditSinkOptions());

        create.Should().Throw<ArgumentException>().WithParameterName("Path");
    }

    [Fact]
    public async Task WriteAsync_AfterDispose_Throws()
    {
        var sut = CreateSut();
        sut.Dispose();

        var write = async () => await sut.WriteAsync(Chain("L-A", 1), Ct);

        await write.Should().ThrowAsync<ObjectDisposedException>();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private JsonLinesAuditSink CreateSut(int window = 10_000) => new(new JsonLinesAuditSinkOptions { Path = FilePath, DeduplicationWindow = window });

    private async Task<List<AuditRecord>> ReadAsync()
    {
        var records = new List<AuditRecord>();
        await foreach (var record in JsonLinesAuditSink.ReadRecordsAsync(FilePath, Ct))
        {
            records.Add(record);
        }

        return records;
    }

    private async Task<List<string>> ReadIdsAsync() => [.. (await ReadAsync()).Select(r => $"{r.PartitionKey}#{r.Sequence}")];

    /// <summary>A key's chain of <paramref name="count"/> records, hashed as the engine hashes them.</summary>
    private static List<AuditRecord> Chain(string key, int count)
    {
        var head = AuditHead.Genesis;
        var records = new List<AuditRecord>();
        for (var i = 1; i <= count; i++)
        {
            var draft = new AuditRecord
            {
                PartitionKey = key,
                Sequence = 0,
                RecordedAt = T0.AddSeconds(i),
                Actor = "system:incoming-inspection",
                Action = "transition",
                Reason = $"step {i} of {key}",
                Workflow = "incoming-inspection",
                WorkflowVersion = 1,
                Event = new EventKey("qms://plant-1", $"{key}-{i}"),
                CorrelationId = $"corr-{key}",
                Before = "QualityInspection",
                After = "Blocked",
                PreviousHash = string.Empty,
                Hash = string.Empty,
            };
            records.Add(AuditHashes.Chain(head, draft, out head));
        }

        return records;
    }
}
