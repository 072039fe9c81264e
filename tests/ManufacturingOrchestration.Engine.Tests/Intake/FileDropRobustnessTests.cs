using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Intake;

/// <summary>A file the drop cannot read, name or open the usual way is moved aside with a report; it never jams the folder.</summary>
public sealed class FileDropRobustnessTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mo-drop-robust-" + Guid.NewGuid().ToString("N"));
    private readonly string _folder;

    public FileDropRobustnessTests()
    {
        _folder = Path.Combine(_root, "drop");
        Directory.CreateDirectory(_folder);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProcessPendingAsync_LineWithUnpairedSurrogateEscape_FileGoesToRejectedOnceAndLaterFilesAreProcessed()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var intake = new EventIntake(host.Orchestrator);
        var valid = EventIntakeTests.Json(EngineTestHost.Passed("LOT-R1", "evt-r1"));
        var bad = EventIntakeTests.Json(EngineTestHost.Passed("LOT-R2", "evt-r2")).Replace("evt-r2", "evt-\\uD800", StringComparison.Ordinal);
        Drop("a-bad.jsonl", valid, bad);
        Drop("b-next.jsonl", EventIntakeTests.Json(EngineTestHost.Passed("LOT-R3", "evt-r3")));

        var first = await CreateSut().ProcessPendingAsync(intake, Ct).WaitAsync(Limit, Ct);
        var second = await CreateSut().ProcessPendingAsync(intake, Ct).WaitAsync(Limit, Ct);

        var report = first.Should().HaveCount(2).And.Subject.Single(r => r.FileName == "a-bad.jsonl");
        report.IsRejected.Should().BeTrue();
        report.Lines.Select(l => l.Status).Should().Equal(PublishStatus.Accepted, PublishStatus.Rejected);
        report.Lines[1].Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.InvalidEncoding);
        File.Exists(Path.Combine(_folder, "rejected", "a-bad.jsonl")).Should().BeTrue();
        File.Exists(Path.Combine(_folder, "processed", "b-next.jsonl")).Should().BeTrue();
        second.Should().BeEmpty("nothing is left to re-read");
    }

    [Fact]
    public async Task ProcessPendingAsync_InvalidUtf8AndBinaryLines_AreRejectedPerLineAndTheValidLineIsAccepted()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var valid = Encoding.UTF8.GetBytes(EventIntakeTests.Json(EngineTestHost.Passed("LOT-R4", "evt-r4")));
        byte[] content = [.. "\u0000\u00FF\u00FE garbage"u8, 0xFF, 0xC3, (byte)'\n', .. valid, (byte)'\n', 0x80, 0x81, (byte)'\n'];
        await File.WriteAllBytesAsync(Path.Combine(_folder, "binary.jsonl"), content, Ct);
        await File.WriteAllBytesAsync(Path.Combine(_folder, "binary.csv"), [.. "type,site\n"u8, 0xFF, (byte)',', 0xFE, (byte)'\n'], Ct);

        var reports = await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct).WaitAsync(Limit, Ct);

        var jsonl = reports.Single(r => r.FileName == "binary.jsonl");
        jsonl.Lines.Select(l => l.Status).Should().Equal(PublishStatus.Rejected, PublishStatus.Accepted, PublishStatus.Rejected);
        var csv = reports.Single(r => r.FileName == "binary.csv");
        csv.Lines.Should().ContainSingle().Which.Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.InvalidEncoding);
    }

    [Fact]
    public async Task ProcessPendingAsync_LineOverTheSizeLimit_IsRejectedAsTooLargeWithoutReadingItWhole()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var path = Path.Combine(_folder, "huge.jsonl");
        await using (var file = File.Create(path))
        {
            var chunk = new byte[1024 * 1024];
            chunk.AsSpan().Fill((byte)'x');
            for (var i = 0; i < 8; i++)
            {
                await file.WriteAsync(chunk, Ct);
            }

            await file.WriteAsync(Encoding.UTF8.GetBytes("\n" + EventIntakeTests.Json(EngineTestHost.Passed("LOT-R5", "evt-r5")) + "\n"), Ct);
        }

        var report = (await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct).WaitAsync(Limit, Ct)).Single();

        report.Lines.Select(l => l.Status).Should().Equal(PublishStatus.Rejected, PublishStatus.Accepted);
        report.Lines[0].Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.PayloadTooLarge);
    }

    [Theory]
    [InlineData(240)]
    [InlineData(250)]
    [InlineData(255)]
    public async Task ProcessPendingAsync_NameNearTheFileSystemLimit_IsProcessedOnceWithItsReport(int nameBytes)
    {
        await using var host = await new EngineTestHost().StartAsync();
        var intake = new EventIntake(host.Orchestrator);
        var name = new string('n', nameBytes - ".jsonl".Length) + ".jsonl";

        Drop(name, EventIntakeTests.Json(EngineTestHost.Passed("LOT-N1", "evt-n1")));
        var first = (await CreateSut().ProcessPendingAsync(intake, Ct).WaitAsync(Limit, Ct)).Single();
        Drop(name, EventIntakeTests.Json(EngineTestHost.Passed("LOT-N1", "evt-n2")));
        var second = (await CreateSut().ProcessPendingAsync(intake, Ct).WaitAsync(Limit, Ct)).Single();
        var third = await CreateSut().ProcessPendingAsync(intake, Ct).WaitAsync(Limit, Ct);

        first.Accepted.Should().Be(1);
        second.Accepted.Should().Be(1, "the second drop has a new event, not a re-read of the first");
        third.Should().BeEmpty();
        File.Exists(first.MovedTo).Should().BeTrue();
        File.Exists(second.MovedTo).Should().BeTrue();
        second.MovedTo.Should().NotBe(first.MovedTo);
        File.Exists(first.ReportPath).Should().BeTrue();
        File.Exists(second.ReportPath).Should().BeTrue();
        Encoding.UTF8.GetByteCount(Path.GetFileName(second.MovedTo)).Should().BeLessThanOrEqualTo(255);
        Encoding.UTF8.GetByteCount(Path.GetFileName(second.ReportPath)).Should().BeLessThanOrEqualTo(255);
        using var report = JsonDocument.Parse(await File.ReadAllBytesAsync(second.ReportPath, Ct));
        report.RootElement.GetProperty("file").GetString().Should().Be(name);
    }

    [Fact]
    public async Task ProcessPendingAsync_Fifo_IsMovedToRejectedWithoutBeingOpenedAndTheOthersGoOn()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "FIFOs are made with mkfifo");
        await using var host = await new EngineTestHost().StartAsync();
        await MakeFifoAsync(Path.Combine(_folder, "a-pipe.jsonl"));
        Drop("b-after.jsonl", EventIntakeTests.Json(EngineTestHost.Passed("LOT-P1", "evt-p1")));

        var reports = await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct).WaitAsync(Limit, Ct);

        var pipe = reports.Single(r => r.FileName == "a-pipe.jsonl");
        pipe.IsRejected.Should().BeTrue();
        pipe.Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.FileNotRegular);
        reports.Single(r => r.FileName == "b-after.jsonl").Accepted.Should().Be(1);
        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().Contain(r => r.Reasons.Any(x => x.Code == ReasonCodes.FileNotRegular));
    }

    [Fact]
    public async Task ProcessPendingAsync_SymlinkLeadingOutOfTheFolder_IsNotFollowed()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "symbolic links without privileges");
        await using var host = await new EngineTestHost().StartAsync();
        var outside = Path.Combine(_root, "secret.jsonl");
        await File.WriteAllTextAsync(outside, EventIntakeTests.Json(EngineTestHost.Passed("LOT-S1", "evt-s1")) + "\n", Ct);
        File.CreateSymbolicLink(Path.Combine(_folder, "link.jsonl"), outside);
        var inside = Path.Combine(_folder, "kept.jsonl.data");
        await File.WriteAllTextAsync(inside, EventIntakeTests.Json(EngineTestHost.Passed("LOT-S2", "evt-s2")) + "\n", Ct);
        File.CreateSymbolicLink(Path.Combine(_folder, "local.jsonl"), inside);

        var reports = await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct).WaitAsync(Limit, Ct);

        var link = reports.Single(r => r.FileName == "link.jsonl");
        link.Errors.Should().ContainSingle().Which.Message.Should().Contain("out of the drop folder");
        link.Lines.Should().BeEmpty();
        File.Exists(outside).Should().BeTrue("the target is never moved or read");
        reports.Single(r => r.FileName == "local.jsonl").Accepted.Should().Be(1, "a link to a regular file inside the folder is read");
        (await host.Store.ReadPendingEventsAsync("LOT-S1", 0, 10, Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task ProcessPendingAsync_NameWithALineBreak_IsHandledAsAName()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var name = "two\nlines.csv";
        Drop(name, "type,site,lot,material,inspection_lot,severity", "inspection-failed,P1,LOT-B1,CAP-100UF,IL-B1,Major");

        var report = (await CreateSut().ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct).WaitAsync(Limit, Ct)).Single();

        report.FileName.Should().Be(name);
        report.Accepted.Should().Be(1);
        report.Lines[0].EventId.Should().StartWith("csv:two\\u000Alines.csv:2:");
        File.Exists(Path.Combine(_folder, "processed", name)).Should().BeTrue();
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static async Task MakeFifoAsync(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        await process.WaitForExitAsync(Ct).WaitAsync(Limit, Ct);
        process.ExitCode.Should().Be(0);
    }

    private FileDropSource CreateSut() => new(new FileDropOptions { Directory = _folder });

    private void Drop(string name, params string[] lines) => File.WriteAllLines(Path.Combine(_folder, name), lines);
}
