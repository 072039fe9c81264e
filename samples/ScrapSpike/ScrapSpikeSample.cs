using System.Globalization;
using System.Text.Json;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;

namespace ManufacturingOrchestration.Samples.ScrapSpike;

/// <summary>
/// Scenario 4: a production scrap spike. Line L1 at P1 normally yields 99 %. Scrap reports arrive from the MES every
/// ten minutes; each updates the line's yield metrics over a sliding window. When scrap jumps to 10 %, quality and
/// maintenance are alerted and the planner is asked to review replenishment — once: a spike that continues is not
/// alerted again.
/// </summary>
public static class ScrapSpikeSample
{
    private const string Line = "L1";

    /// <summary>The command line: <c>--help</c> lists the options; exit 0 when the run's checks pass, 1 when not, 2 for a bad command line.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the run and <c>--help</c> write.</param>
    /// <param name="error">Where command-line problems are written.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        new SampleCommandLine("ScrapSpike", "Scenario 4: scrap spike → alert quality and maintenance, update yield metrics, review replenishment.")
            .RunAsync(args, output, error, async (options, o, c) => (await RunAsync(options, o, c)).Passed, cancellationToken);

    /// <summary>Runs the scenario and writes what happens.</summary>
    /// <param name="options">The options (the seed).</param>
    /// <param name="output">Where to write.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report.</returns>
    public static async Task<SampleReport> RunAsync(SampleOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        await using var host = await SampleHost.StartAsync(
            options.Seed,
            b => b.AddScenario(ScrapSpikeWorkflow.Create),
            scenario: s => new ScenarioServices(s.Rules, s.Sites) { ScrapSpike = new ScrapSpikeSettings().SetBaseline(Plants.P1.Id, Line, 0.99m) },
            cancellationToken: cancellationToken);
        var start = host.Time.GetUtcNow().AddMinutes(-40);
        var partition = $"line/{Plants.P1.Id}/{Line}";
        (decimal Scrap, decimal Good)[] reports = [(1, 99), (1, 99), (10, 90), (12, 88), (6, 94)];
        var metrics = new List<decimal>();
        for (var i = 0; i < reports.Length; i++)
        {
            var (scrap, good) = reports[i];
            await host.PublishAndWaitAsync(cancellationToken, new EventEnvelope
            {
                Id = $"scrap-{Line}-{i + 1}",
                Source = "mes://P1",
                Type = EventTypes.ScrapReported,
                Site = Plants.P1.Id,
                Time = start.AddMinutes(10 * i),
                Data = new ScrapReported { Site = Plants.P1.Id, Line = Line, Material = Plants.Board, Quantity = Quantity.Each(scrap), GoodQuantity = Quantity.Each(good) },
            });
            var state = await host.Orchestrator.GetPartitionAsync(partition, cancellationToken);
            using var yield = JsonDocument.Parse(state!.Values[ScrapSpikeWorkflow.YieldMetricsValueName]);
            var rate = yield.RootElement.GetProperty("scrapRate").GetDecimal();
            metrics.Add(rate);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{i + 1}. {scrap} scrapped, {good} good → window scrap rate {rate:P1} (baseline {1 - yield.RootElement.GetProperty("baselineYield").GetDecimal():P1})"));
            await host.WriteNewEffectsAsync(output);
        }

        var audit = await host.Orchestrator.GetAuditTrailAsync(partition, cancellationToken);
        var facts = new Dictionary<string, decimal>(StringComparer.Ordinal)
        {
            ["notifications"] = host.Plant.Notification.Sent.Count,
            ["quality-engineer-alerts"] = host.Plant.Notification.SentTo(Role.QualityEngineer, Plants.P1.Id).Count,
            ["maintenance-alerts"] = host.Plant.Notification.SentTo(Role.Maintenance, Plants.P1.Id).Count,
            ["planner-reviews"] = host.Plant.Notification.SentTo(Role.Planner, Plants.P1.Id).Count,
            ["alerts-suppressed"] = audit.Count(r => r.Action == "spike-alert-suppressed"),
            ["final-scrap-rate"] = metrics[^1],
        };
        var report = await host.ReportAsync("scrap-spike", [], facts, cancellationToken);
        await output.WriteLineAsync();
        await SampleHost.WriteSummaryAsync(report, output);
        return report;
    }
}
