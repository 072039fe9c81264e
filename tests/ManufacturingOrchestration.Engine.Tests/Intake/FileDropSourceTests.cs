using System.Text.Json;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Intake;

public sealed class FileDropSourceTests : IDisposable
{
    private const string CsvHeader = "type,site,lot,material,inspection_lot,severity,supplier,defect,rejected_quantity,unit";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mo-drop-" + Guid.NewGuid().ToString("N"));

    public FileDropSourceTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProcessPendingAsync_JsonlFile_AcceptsEveryLineMovesItToProcessedWithAReport()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("LOT-F1", 10);
        Drop("results.jsonl", EventIntakeTests.Json(EngineTestHost.Failed("LOT-F1", "evt-f1")), "", EventIntakeTests.Json(EngineTestHost.Passed("LOT-F2", "evt-f2")));

        var reports = await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct);
        await host.Orchestrator.WaitForIdleAsync(Ct);

        var report = reports.Should().ContainSingle().Which;
        report.Lines.Select(l => (l.LineNumber, l.EventId, l.Status)).Should().Equal((1, "evt-f1", PublishStatus.Accepted), (3, "evt-f2", PublishStatus.Accepted));
        report.MovedTo.Should().Be(Path.Combine(_folder, "processed", "results.jsonl"));
        File.Exists(Path.Combine(_folder, "results.jsonl")).Should().BeFalse();
        File.Exists(report.MovedTo).Should().BeTrue();
        using var written = JsonDocument.Parse(await File.ReadAllTextAsync(report.ReportPath, Ct));
        written.RootElement.GetProperty("accepted").GetInt32().Should().Be(2);
        written.RootElement.GetProperty("lines")[1].GetProperty("status").GetString().Should().Be("accepted");
        host.Plant.Erp.QuantityIn(new LotId("LOT-F1"), StockCategory.Blocked).Should().Be(10);
    }

    [Fact]
    public async Task ProcessPendingAsync_CsvInspectionFailure_MapsTheRowAndTheWorkflowRuns()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("LOT-C1", 25);
        Drop("qc-export.csv", CsvHeader, "inspection-failed,P1,LOT-C1,CAP-100UF,IL-C1,Major,S-ACME,\"Capacitance low, 3 of 5\",5,EA");

        var report = (await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct)).Single();
        await host.Orchestrator.WaitForIdleAsync(Ct);

        report.Lines.Should().ContainSingle().Which.Status.Should().Be(PublishStatus.Accepted);
        report.Lines[0].EventId.Should().StartWith("csv:qc-export.csv:2:");
        report.IsRejected.Should().BeFalse();
        host.Plant.Erp.QuantityIn(new LotId("LOT-C1"), StockCategory.Blocked).Should().Be(5, "the rejected_quantity column says 5 of the 25 failed");
    }

    [Fact]
    public async Task ProcessPendingAsync_BadLines_FileGoesToRejectedAndTheReportNamesLineColumnAndReason()
    {
        await using var host = await new EngineTestHost().StartAsync();
        Drop("mixed.csv", CsvHeader,
            "inspection-failed,P1,LOT-C2,CAP-100UF,IL-C2,Major,S-ACME,Short,-5,EA",
            "inspection-failed,P1,LOT-C3,CAP-100UF,IL-C3,Major,S-ACME,Fine,,");
        Drop("broken.jsonl", "{\"id\": 1,");

        var reports = await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct);

        var csv = reports.Single(r => r.FileName == "mixed.csv");
        csv.IsRejected.Should().BeTrue();
        csv.MovedTo.Should().Be(Path.Combine(_folder, "rejected", "mixed.csv"));
        csv.Lines.Select(l => (l.LineNumber, l.Status)).Should().Equal((2, PublishStatus.Rejected), (3, PublishStatus.Accepted));
        var reason = csv.Lines[0].Errors.Should().ContainSingle().Which;
        reason.Path.Should().Be("$.data.rejectedQuantity.value");
        reason.ReasonCode.Should().Be(ReasonCodes.NegativeQuantity);
        reason.Message.Should().StartWith("column 'rejected_quantity': ");
        var jsonl = reports.Single(r => r.FileName == "broken.jsonl");
        jsonl.Lines.Should().ContainSingle().Which.Errors.Should().Contain(e => e.ReasonCode == ReasonCodes.MalformedJson);
        var recorded = await host.Store.ReadRejectionsAsync(null, null, 10, Ct);
        recorded.Select(r => r.Channel).Should().BeEquivalentTo(["file:mixed.csv", "file:broken.jsonl"]);
        (await File.ReadAllTextAsync(csv.ReportPath, Ct)).Should().Contain("payload.negative-quantity");
    }

    [Theory]
    [InlineData(",evt-own-1,P1,LOT-E1,CAP-100UF,IL-E1,Major,", "the row names no event type")]
    [InlineData("scrap,evt-own-1,P1,LOT-E1,CAP-100UF,IL-E1,Major,", "the type is unknown")]
    [InlineData("inspection-passed,evt-own-1,P1,LOT-E1,CAP-100UF,IL-E1,Major,", "severity is not part of the layout")]
    [InlineData("inspection-failed,evt-own-1,P1,LOT-E1,CAP-100UF,IL-E1,Major,many", "the quantity is not a number")]
    [InlineData("inspection-failed,evt-own-1,P1,,CAP-100UF,IL-E1,Major,", "a required column is empty")]
    public async Task ProcessPendingAsync_CsvRowWithItsOwnEventIdThatCannotBeMapped_IsReportedUnderThatId(string row, string because)
    {
        await using var host = await new EngineTestHost().StartAsync();
        Drop("own-ids.csv", "type,event_id,site,lot,material,inspection_lot,severity,rejected_quantity", row);

        var report = (await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct)).Single();

        var line = report.Lines.Should().ContainSingle().Which;
        line.Status.Should().Be(PublishStatus.Rejected);
        line.EventId.Should().Be("evt-own-1", $"{because}, yet the sender gave the row its id and searches for it");
    }

    [Theory]
    [InlineData("scrap,evt-own-1,P1,LOT-E1,CAP-100UF,IL-E1,Major,", "file-drop", "the type is unknown")]
    [InlineData("inspection-failed,evt-own-1,P1,LOT-E1,CAP-100UF,IL-E1,Major,many", "file-drop", "the quantity is not a number")]
    [InlineData("inspection-failed,evt-own-1,qms://plant-9,P1,,CAP-100UF,IL-E1,Major,", "qms://plant-9", "a required column is empty; the row names its own source")]
    public async Task ProcessPendingAsync_CsvRowWithItsOwnEventIdThatCannotBeMapped_IsStoredAsARejectionUnderThatIdAndSource(string row, string source, string because)
    {
        await using var host = await new EngineTestHost().StartAsync();
        var header = row.Contains("qms://", StringComparison.Ordinal)
            ? "type,event_id,source,site,lot,material,inspection_lot,severity,rejected_quantity"
            : "type,event_id,site,lot,material,inspection_lot,severity,rejected_quantity";
        Drop("own-ids.csv", header, row);

        await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct);

        var stored = (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which;
        stored.EventId.Should().Be("evt-own-1", $"{because}, and an operator searches the stored rejections by the id the sender gave the row");
        stored.Source.Should().Be(source);
        stored.Channel.Should().Be("file:own-ids.csv");
    }

    [Fact]
    public async Task ProcessPendingAsync_CsvRowWithAnInvalidOwnSource_IsStoredWithThatSourceEscaped()
    {
        await using var host = await new EngineTestHost().StartAsync();
        Drop("bad-source.csv", "type,event_id,source,site,lot,material,inspection_lot,severity,rejected_quantity", "scrap,evt-own-2,qms​//x,P1,LOT-E1,CAP-100UF,IL-E1,Major,");

        await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct);

        var stored = (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which;
        stored.EventId.Should().Be("evt-own-2");
        stored.Source.Should().Be("qms\\u200B//x", "the row's own source is refused text, recorded printable; the default source was not the row's");
    }

    [Fact]
    public async Task ProcessPendingAsync_UnreadableJsonLineWithAnIdAndSource_IsStoredAsARejectionUnderThem()
    {
        await using var host = await new EngineTestHost().StartAsync();
        Drop("unknown.jsonl", "{\"specversion\":\"1.0\",\"id\":\"evt-j1\",\"source\":\"qms://plant-1\",\"type\":\"com.example.unknown\",\"data\":{}}");

        var report = (await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct)).Single();

        report.Lines.Should().ContainSingle().Which.EventId.Should().Be("evt-j1");
        var stored = (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which;
        stored.EventId.Should().Be("evt-j1", "the line's report names that id, and the stored rejection must be found under it too");
        stored.Source.Should().Be("qms://plant-1");
    }

    [Theory]
    [InlineData("inspection-failed,,P1,LOT-E2,CAP-100UF,IL-E2,Major,many", "the row has no own id")]
    [InlineData("scrap,evt\u200Bown,P1,LOT-E2,CAP-100UF,IL-E2,Major,", "the own id is not a valid id")]
    [InlineData("inspection-failed,\"evt-own,P1,LOT-E2,CAP-100UF,IL-E2,Major,", "the row cannot be split into cells")]
    [InlineData("inspection-failed,evt-own,P1,LOT-E2,CAP-100UF,IL-E2,Major,5,extra", "with more cells than the header names, which cell is the id is unknown")]
    public async Task ProcessPendingAsync_CsvRowThatCannotBeMappedWithoutAUsableOwnId_IsReportedUnderTheDerivedId(string row, string because)
    {
        await using var host = await new EngineTestHost().StartAsync();
        Drop("no-own-ids.csv", "type,event_id,site,lot,material,inspection_lot,severity,rejected_quantity", row);

        var report = (await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct)).Single();

        var line = report.Lines.Should().ContainSingle().Which;
        line.Status.Should().Be(PublishStatus.Rejected);
        line.EventId.Should().Be(CsvEventMapper.DeriveEventId("no-own-ids.csv", 2, row), because);
    }

    [Theory]
    [InlineData("plant.jsonl")]
    [InlineData("plant.csv")]
    public async Task ProcessPendingAsync_FileReReadAfterACrashBeforeTheMove_NothingIsAcceptedTwice(string fileName)
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("LOT-K1", 8);
        host.AddLotInInspection("LOT-K2", 9);
        if (fileName.EndsWith(".csv", StringComparison.Ordinal))
        {
            Drop(fileName, CsvHeader,
                "inspection-failed,P1,LOT-K1,CAP-100UF,IL-K1,Major,S-ACME,Short,,",
                "inspection-failed,P1,LOT-K2,CAP-100UF,IL-K2,Critical,S-ACME,Open,,");
        }
        else
        {
            Drop(fileName, EventIntakeTests.Json(EngineTestHost.Failed("LOT-K1", "evt-k1")), EventIntakeTests.Json(EngineTestHost.Failed("LOT-K2", "evt-k2", DefectSeverity.Critical)));
        }

        var intake = new EventIntake(host.Orchestrator);
        var beforeCrash = await CreateSut().PublishFileAsync(Path.Combine(_folder, fileName), intake, Ct);
        await host.Orchestrator.WaitForIdleAsync(Ct);
        var effectsAfterFirstRun = host.Plant.Effects.CountOf(CommandKinds.ErpChangeStockCategory);

        var afterRestart = await CreateSut().ProcessPendingAsync(intake, Ct);
        await host.Orchestrator.WaitForIdleAsync(Ct);

        beforeCrash.Should().NotBeNull();
        beforeCrash!.Value.Lines.Select(l => l.Status).Should().Equal(PublishStatus.Accepted, PublishStatus.Accepted);
        var report = afterRestart.Should().ContainSingle().Which;
        report.Duplicates.Should().Be(2);
        report.Accepted.Should().Be(0);
        report.Lines.Select(l => l.EventId).Should().Equal(beforeCrash!.Value.Lines.Select(l => l.EventId));
        effectsAfterFirstRun.Should().Be(2);
        host.Plant.Effects.CountOf(CommandKinds.ErpChangeStockCategory).Should().Be(2);
        File.Exists(Path.Combine(_folder, "processed", fileName)).Should().BeTrue();
    }

    [Fact]
    public async Task ProcessPendingAsync_SameNameDroppedAgain_KeepsBothProcessedCopies()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var intake = new EventIntake(host.Orchestrator);
        Drop("daily.jsonl", EventIntakeTests.Json(EngineTestHost.Passed("LOT-D1", "evt-d1")));
        await CreateSut().ProcessPendingAsync(intake, Ct);
        Drop("daily.jsonl", EventIntakeTests.Json(EngineTestHost.Passed("LOT-D1", "evt-d2")));

        var second = (await CreateSut().ProcessPendingAsync(intake, Ct)).Single();

        second.MovedTo.Should().Be(Path.Combine(_folder, "processed", "daily-2.jsonl"));
        File.Exists(Path.Combine(_folder, "processed", "daily.jsonl")).Should().BeTrue();
    }

    [Fact]
    public async Task ProcessPendingAsync_OtherExtensions_AreLeftAlone()
    {
        await using var host = await new EngineTestHost().StartAsync();
        Drop("incoming.jsonl.tmp", EventIntakeTests.Json(EngineTestHost.Passed("LOT-T1", "evt-t1")));

        var reports = await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct);

        reports.Should().BeEmpty();
        File.Exists(Path.Combine(_folder, "incoming.jsonl.tmp")).Should().BeTrue();
    }

    [Fact]
    public async Task RunAsync_PollInterval_PicksUpAFileDroppedLaterOnlyWhenTheFakeClockAdvances()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var time = new FakeTimeProvider();
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder, PollInterval = TimeSpan.FromSeconds(30), TimeProvider = time });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Drop("early.jsonl", EventIntakeTests.Json(EngineTestHost.Passed("LOT-L1", "evt-l0")));
        var running = sut.RunAsync(new EventIntake(host.Orchestrator), stop.Token);
        await WaitUntilAsync(() => File.Exists(Path.Combine(_folder, "processed", "early.jsonl")));

        Drop("late.jsonl", EventIntakeTests.Json(EngineTestHost.Passed("LOT-L1", "evt-l1")));
        var late = Path.Combine(_folder, "processed", "late.jsonl");
        var pickedUpWithoutTime = File.Exists(late);
        await WaitUntilAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(30));
            return File.Exists(late);
        });
        await stop.CancelAsync();
        await running;

        pickedUpWithoutTime.Should().BeFalse();
        running.IsCompletedSuccessfully.Should().BeTrue();
        sut.LastError.Should().BeNull();
    }

    [Fact]
    public void Constructor_NoFolder_Throws()
    {
        var act = () => new FileDropSource(new FileDropOptions());

        act.Should().Throw<ArgumentException>().WithParameterName(nameof(FileDropOptions.Directory));
    }

    [Theory]
    [InlineData("drop\nnight-shift", "a line break would forge a log line")]
    [InlineData(" file-drop", "white space at the end is not part of an identifier")]
    [InlineData("file\u202Edrop", "a bidirectional control makes the name read differently")]
    public void Constructor_NameThatIsNotAnIdentifier_ThrowsNamingTheOption(string name, string because)
    {
        var act = () => new FileDropSource(new FileDropOptions { Directory = _folder, Name = name });

        act.Should().Throw<ArgumentException>(because).WithParameterName(nameof(FileDropOptions.Name))
            .Which.Message.Should().Contain("FileDropOptions.Name");
    }

    [Fact]
    public void Constructor_NameLongerThanAKey_Throws()
    {
        var act = () => new FileDropSource(new FileDropOptions { Directory = _folder, Name = new string('n', Identifier.MaxKeyLength + 1) });

        act.Should().Throw<ArgumentException>().WithParameterName(nameof(FileDropOptions.Name));
    }

    [Theory]
    [InlineData("file\u0000drop", "a control character is not allowed in a source")]
    [InlineData("file-drop ", "white space at the end is not part of a source")]
    [InlineData("http://[plant", "a source is a URI-reference")]
    public void Constructor_CsvSourceAnEventCouldNotHave_ThrowsNamingTheOptionInsteadOfRejectingEveryRow(string source, string because)
    {
        var act = () => new FileDropSource(new FileDropOptions { Directory = _folder, CsvSource = source });

        act.Should().Throw<ArgumentException>(because).WithParameterName(nameof(FileDropOptions.CsvSource))
            .Which.Message.Should().Contain("FileDropOptions.CsvSource");
    }

    [Theory]
    [InlineData("file-drop")]
    [InlineData("qms://plant-1/line-2")]
    [InlineData("urn:plant:drop")]
    public void Constructor_CsvSourceAnEventCanHave_IsAccepted(string source)
    {
        var act = () => new FileDropSource(new FileDropOptions { Directory = _folder, CsvSource = source, Name = "drop:plant-1" });

        act.Should().NotThrow();
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10, Ct);
        }

        condition().Should().BeTrue("the condition should hold within the wait");
    }

    private FileDropSource CreateSut() => new(new FileDropOptions { Directory = _folder });

    private void Drop(string name, params string[] lines) => File.WriteAllLines(Path.Combine(_folder, name), lines);
}
