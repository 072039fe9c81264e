using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Intake;

/// <summary>A file written in place may end in a line cut off by the writer: a last line without a line break is
/// published only from a file unchanged since the previous poll, so a cut-off row is never booked with a wrong value.</summary>
public sealed class FileDropUnfinishedLineTests : IDisposable
{
    private const string CsvHeader = "type,site,lot,material,inspection_lot,severity,supplier,defect,unit,rejected_quantity";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mo-drop-unfinished-" + Guid.NewGuid().ToString("N"));

    public FileDropUnfinishedLineTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProcessPendingAsync_CsvWrittenInPlaceEndingInACutOffRow_PublishesNothingUntilTheRowIsCompleteThenBooksItOnce()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("LOT-U1", 200);
        var path = Path.Combine(_folder, "qc.csv");
        await File.WriteAllTextAsync(path, CsvHeader + "\ninspection-failed,P1,LOT-U1,CAP-100UF,IL-U1,Major,S-ACME,Short,EA,12", Ct);
        var intake = new EventIntake(host.Orchestrator);
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder });

        var first = await sut.ProcessPendingAsync(intake, Ct).WaitAsync(Limit, Ct);
        await File.AppendAllTextAsync(path, "0\n", Ct);
        var second = await sut.ProcessPendingAsync(intake, Ct).WaitAsync(Limit, Ct);
        await host.Orchestrator.WaitForIdleAsync(Ct).WaitAsync(Limit, Ct);

        first.Should().BeEmpty("the last row may still be being written");
        var report = second.Should().ContainSingle().Which;
        report.Lines.Should().ContainSingle().Which.Status.Should().Be(PublishStatus.Accepted);
        host.Plant.Erp.QuantityIn(new LotId("LOT-U1"), StockCategory.Blocked).Should().Be(120, "the row says 120, never 12 and never both");
        sut.LastError.Should().BeNull();
    }

    [Fact]
    public async Task ProcessPendingAsync_FileGrowingByACutOffRowWhileItIsRead_HoldsTheRowBackAndBooksTheFullRowOnce()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("LOT-U2", 50);
        host.AddLotInInspection("LOT-U3", 200);
        var path = Path.Combine(_folder, "growing.csv");
        await File.WriteAllTextAsync(path, CsvHeader + "\ninspection-failed,P1,LOT-U2,CAP-100UF,IL-U2,Major,S-ACME,Short,EA,5\n", Ct);

        // The plant appends the start of the next row while the first is being published.
        var sink = new SinkThatActsOnFirstPublish(new EventIntake(host.Orchestrator), () => File.AppendAllText(path, "inspection-failed,P1,LOT-U3,CAP-100UF,IL-U3,Major,S-ACME,Open,EA,12"));
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder, BatchSize = 1 });

        var first = await sut.ProcessPendingAsync(sink, Ct).WaitAsync(Limit, Ct);
        var stillThere = File.Exists(path);
        await File.AppendAllTextAsync(path, "0\n", Ct);
        var second = await sut.ProcessPendingAsync(sink, Ct).WaitAsync(Limit, Ct);
        await host.Orchestrator.WaitForIdleAsync(Ct).WaitAsync(Limit, Ct);

        first.Should().BeEmpty("the file ended in a row still being written");
        stillThere.Should().BeTrue();
        var report = second.Should().ContainSingle().Which;
        report.Lines.Select(l => (l.LineNumber, l.Status)).Should().Equal((2, PublishStatus.Duplicate), (3, PublishStatus.Accepted));
        host.Plant.Erp.QuantityIn(new LotId("LOT-U2"), StockCategory.Blocked).Should().Be(5);
        host.Plant.Erp.QuantityIn(new LotId("LOT-U3"), StockCategory.Blocked).Should().Be(120, "the row says 120, never 12 and never both");
    }

    [Theory]
    [InlineData("last.jsonl")]
    [InlineData("empty.jsonl")]
    public async Task ProcessPendingAsync_FileWithoutAFinalLineBreakOrEmpty_IsProcessedWhenUnchangedAtTheNextPoll(string fileName)
    {
        await using var host = await new EngineTestHost().StartAsync();
        var path = Path.Combine(_folder, fileName);
        var content = fileName == "empty.jsonl" ? string.Empty : EventIntakeTests.Json(EngineTestHost.Passed("LOT-U4", "evt-u4"));
        await File.WriteAllTextAsync(path, content, Ct);
        var intake = new EventIntake(host.Orchestrator);
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder });

        var first = await sut.ProcessPendingAsync(intake, Ct).WaitAsync(Limit, Ct);
        var second = await sut.ProcessPendingAsync(intake, Ct).WaitAsync(Limit, Ct);

        first.Should().BeEmpty("a file may still be being written until a poll finds it unchanged");
        var report = second.Should().ContainSingle().Which;
        report.Accepted.Should().Be(content.Length == 0 ? 0 : 1);
        report.MovedTo.Should().Be(Path.Combine(_folder, "processed", fileName));
        File.Exists(path).Should().BeFalse();
        sut.LastError.Should().BeNull();
    }

    [Fact]
    public async Task PublishContentAsync_ContentWithoutAFinalLineBreak_PublishesTheLastLine()
    {
        await using var host = await new EngineTestHost().StartAsync();
        using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(EventIntakeTests.Json(EngineTestHost.Passed("LOT-U5", "evt-u5"))));
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder });

        var result = await sut.PublishContentAsync(content, "upload.jsonl", new EventIntake(host.Orchestrator), Ct).WaitAsync(Limit, Ct);

        result.Lines.Should().ContainSingle().Which.Status.Should().Be(PublishStatus.Accepted, "content that arrived whole is complete");
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
