using System.Text;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Engine.Tests.Intake;

/// <summary>Edge cases of intake: line endings at the size limit, numbers in CSV cells, and publishers that give up.</summary>
public sealed class IntakeEdgeCaseTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mo-drop-edge-" + Guid.NewGuid().ToString("N"));

    public IntakeEdgeCaseTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProcessPendingAsync_CrlfLineExactlyAtTheSizeLimit_IsAcceptedLikeTheSameLineWithLf()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var crlf = Encoding.UTF8.GetBytes(EventIntakeTests.Json(EngineTestHost.Passed("LOT-E1", "evt-e1")));
        var lf = Encoding.UTF8.GetBytes(EventIntakeTests.Json(EngineTestHost.Passed("LOT-E2", "evt-e2")));
        crlf.Length.Should().Be(lf.Length);
        await File.WriteAllBytesAsync(Path.Combine(_folder, "a-crlf.jsonl"), [.. crlf, (byte)'\r', (byte)'\n'], Ct);
        await File.WriteAllBytesAsync(Path.Combine(_folder, "b-lf.jsonl"), [.. lf, (byte)'\n'], Ct);
        var serializer = new EventSerializer(new EventSerializerOptions { MaxEventBytes = crlf.Length });
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder }, serializer);

        var reports = await sut.ProcessPendingAsync(new EventIntake(host.Orchestrator, serializer), Ct).WaitAsync(Limit, Ct);

        reports.Single(r => r.FileName == "b-lf.jsonl").Lines.Should().ContainSingle().Which.Status.Should().Be(PublishStatus.Accepted);
        var line = reports.Single(r => r.FileName == "a-crlf.jsonl").Lines.Should().ContainSingle().Subject;
        line.Errors.Should().BeEmpty("the line break is not part of the event, whether it is LF or CRLF");
        line.Status.Should().Be(PublishStatus.Accepted);
    }

    [Fact]
    public async Task ProcessPendingAsync_CsvQuantityWithADecimalComma_IsRejectedNotReadAsTenTimesAsMuch()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("LOT-E3", 25);
        await File.WriteAllLinesAsync(Path.Combine(_folder, "eu-export.csv"),
        [
            "type;site;lot;material;inspection_lot;severity;supplier;rejected_quantity;unit",
            "inspection-failed;P1;LOT-E3;CAP-100UF;IL-E3;Major;S-ACME;1,5;EA",
        ], Ct);
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder, CsvDelimiter = ';' });

        var report = (await sut.ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct).WaitAsync(Limit, Ct)).Single();
        await host.Orchestrator.WaitForIdleAsync(Ct);

        var line = report.Lines.Should().ContainSingle().Subject;
        line.Status.Should().Be(PublishStatus.Rejected, "'1,5' is one and a half in a decimal-comma export, not 15");
        line.Errors.Should().ContainSingle().Which.Message.Should().StartWith("column 'rejected_quantity': ");
        host.Plant.Erp.QuantityIn(new LotId("LOT-E3"), StockCategory.Blocked).Should().Be(0);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
