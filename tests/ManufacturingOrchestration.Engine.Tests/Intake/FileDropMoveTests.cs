using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Tests.Execution;

namespace ManufacturingOrchestration.Engine.Tests.Intake;

/// <summary>A file is moved with its report only when it is the file that was read: a failed move leaves no report and
/// publishes nothing twice; a file replaced while it was read is read again, never moved unread.</summary>
public sealed class FileDropMoveTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mo-drop-move-" + Guid.NewGuid().ToString("N"));

    public FileDropMoveTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProcessPendingAsync_MoveFailsOnce_LeavesNoReportAndTheNextPollMovesItWithTheFirstOutcome()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var intake = new EventIntake(host.Orchestrator);
        File.WriteAllLines(Path.Combine(_folder, "shift.jsonl"), [EventIntakeTests.Json(EngineTestHost.Passed("LOT-M1", "evt-m1")), "{\"id\": 1,"]);
        var moves = 0;
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder })
        {
            MoveFile = (from, to) =>
            {
                if (++moves == 1)
                {
                    throw new IOException("The drop folder does not allow removing the file.");
                }

                File.Move(from, to);
            },
        };

        var first = await sut.ProcessPendingAsync(intake, Ct).WaitAsync(Limit, Ct);
        var failure = sut.LastError;
        var reportsAfterTheFailure = ReportsIn("rejected");
        var second = await sut.ProcessPendingAsync(intake, Ct).WaitAsync(Limit, Ct);

        first.Should().BeEmpty();
        failure.Should().BeOfType<IOException>();
        reportsAfterTheFailure.Should().BeEmpty("no report may claim a move that did not happen");
        var report = second.Should().ContainSingle().Which;
        report.Lines.Select(l => (l.LineNumber, l.Status)).Should().Equal((1, PublishStatus.Accepted), (2, PublishStatus.Rejected));
        report.MovedTo.Should().Be(Path.Combine(_folder, "rejected", "shift.jsonl"));
        ReportsIn("rejected").Should().Equal(report.ReportPath);
        File.Exists(Path.Combine(_folder, "shift.jsonl")).Should().BeFalse();
        sut.LastError.Should().BeNull();
        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle("the rejected line was published once");
    }

    [Fact]
    public async Task ProcessPendingAsync_FileReplacedUnderItsNameWhileItIsRead_IsNotMovedUnreadAndTheNewContentIsPublished()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var path = Path.Combine(_folder, "daily.jsonl");
        File.WriteAllLines(path, [EventIntakeTests.Json(EngineTestHost.Passed("LOT-M2", "evt-m2"))]);
        var replacement = EventIntakeTests.Json(EngineTestHost.Passed("LOT-M3", "evt-m3-replacement"));
        var sink = new SinkThatActsOnFirstPublish(new EventIntake(host.Orchestrator), () =>
        {
            // The plant writes the next file under a temporary name and renames it into place while the first is read.
            var temporary = path + ".tmp";
            File.WriteAllLines(temporary, [replacement]);
            File.Move(temporary, path, overwrite: true);
        });
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder });

        var first = await sut.ProcessPendingAsync(sink, Ct).WaitAsync(Limit, Ct);
        var second = await sut.ProcessPendingAsync(sink, Ct).WaitAsync(Limit, Ct);

        first.Should().BeEmpty("what is under the name now was not read");
        var report = second.Should().ContainSingle().Which;
        report.Lines.Should().ContainSingle().Which.EventId.Should().Be("evt-m3-replacement");
        report.Accepted.Should().Be(1);
        (await File.ReadAllTextAsync(report.MovedTo, Ct)).Should().Contain("evt-m3-replacement");
        sut.LastError.Should().BeNull();
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private string[] ReportsIn(string folder)
    {
        var path = Path.Combine(_folder, folder);
        return Directory.Exists(path) ? Directory.GetFiles(path, "*.report.json") : [];
    }
}
