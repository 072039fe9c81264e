using System.Globalization;

namespace ManufacturingOrchestration.Comparison;

/// <summary>The comparison's table: medians and spreads of the ratios against MassTransit, latency, and the floors.</summary>
internal static class ComparisonTable
{
    public static void Write(TextWriter output, ComparisonOptions options, Configuration[] configurations, List<ChildRun> runs, List<ChildRun> latencyRuns, string latencyGc)
    {
        var c = CultureInfo.InvariantCulture;
        var floors = new List<(string Floor, double Measured, bool Met)>();
        foreach (var gc in options.GcModes)
        {
            output.WriteLine();
            output.WriteLine(string.Create(c, $"{gc} GC — medians over {options.Rounds} round(s), (min–max); ratios are ours / MassTransit in the same round"));
            output.WriteLine("| configuration | events/s | × MT events/s | KB/event | × MT bytes/event | µs CPU/event | × MT CPU/event | collector paused, ms |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var configuration in configurations)
            {
                var mine = Results(runs, gc, configuration);
                var eps = Stat(mine.Select(r => r.Result.EventsPerSecond), "N0");
                var kb = Stat(mine.Select(r => r.Result.BytesPerEvent / 1024), "F2");
                var cpu = Stat(mine.Select(r => r.Result.CpuMicrosecondsPerEvent), "F1");
                var paused = Stat(mine.Select(r => r.Result.GcPauseMs), "F0");
                if (configuration.IsBaseline)
                {
                    output.WriteLine($"| {configuration.Name} | {eps} | 1 | {kb} | 1 | {cpu} | 1 | {paused} |");
                    continue;
                }

                var epsRatios = Ratios(runs, gc, configuration, r => r.EventsPerSecond);
                var bytesRatios = Ratios(runs, gc, configuration, r => r.BytesPerEvent);
                var cpuRatios = Ratios(runs, gc, configuration, r => r.CpuMicrosecondsPerEvent);
                output.WriteLine($"| {configuration.Name} | {eps} | {Stat(epsRatios, "F2")} | {kb} | {Stat(bytesRatios, "F2")} | {cpu} | {Stat(cpuRatios, "F2")} | {paused} |");
                if (gc != "server")
                {
                    continue;
                }

                var epsMedian = ComparisonRunner.Median(epsRatios);
                var bytesMedian = ComparisonRunner.Median(bytesRatios);
                if (configuration == ComparisonRunner.UserMemory)
                {
                    floors.Add(("NRules workflow in memory ≥ 2× MassTransit events/s", epsMedian, epsMedian >= 2));
                    floors.Add(("NRules workflow in memory bytes/event ≤ 1× MassTransit", bytesMedian, bytesMedian <= 1));
                }
                else if (configuration == ComparisonRunner.UserSqlite)
                {
                    floors.Add(("NRules workflow on SQLite ≥ 1× MassTransit (in memory) events/s", epsMedian, epsMedian >= 1));
                    floors.Add(("NRules workflow on SQLite bytes/event ≤ 1× MassTransit", bytesMedian, bytesMedian <= 1));
                }
                else if (configuration.Name == ComparisonRunner.UserPostgreSqlName)
                {
                    var eventsPerSecond = ComparisonRunner.Median([.. mine.Select(r => r.Result.EventsPerSecond)]);
                    floors.Add(("NRules workflow on PostgreSQL, one node, ≥ 5,000 events/s (absolute)", eventsPerSecond, eventsPerSecond >= 5_000));
                }
                else if (configuration == ComparisonRunner.PlainMemory)
                {
                    floors.Add(("engine alone (plain C#) in memory ≥ 4× MassTransit events/s", epsMedian, epsMedian >= 4));
                }
            }
        }

        if (latencyRuns.Count > 0)
        {
            output.WriteLine();
            output.WriteLine(string.Create(c, $"latency, open loop at half of each configuration's median events/s ({latencyGc} GC); ours: accepted → committed step, MassTransit: publish → saga handling done"));
            output.WriteLine("| configuration | rate, events/s | p50 ms | p99 ms | max lag behind schedule, ms |");
            output.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var run in latencyRuns.Where(r => r.Result is not null))
            {
                var r = run.Result!;
                output.WriteLine(string.Create(c, $"| {run.Configuration.Name} | {r.Rate:N0} | {r.LatencyP50Ms:F2} | {r.LatencyP99Ms:F2} | {r.MaxScheduleLagMs:F1} |"));
                if (latencyGc == "server" && run.Configuration == ComparisonRunner.UserMemory)
                {
                    floors.Add(("p99 at half of max, NRules workflow in memory ≤ 20 ms", r.LatencyP99Ms, r.LatencyP99Ms <= 20));
                }
                else if (latencyGc == "server" && run.Configuration == ComparisonRunner.UserSqlite)
                {
                    floors.Add(("p99 at half of max, NRules workflow on SQLite ≤ 50 ms", r.LatencyP99Ms, r.LatencyP99Ms <= 50));
                }
            }
        }

        if (floors.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("floors (2 cores, server GC, medians of the interleaved runs) — reported, never a failure of this command");
            output.WriteLine("| floor | measured | |");
            output.WriteLine("|---|---:|---|");
            foreach (var (floor, measured, met) in floors)
            {
                output.WriteLine(string.Create(c, $"| {floor} | {measured:F2} | {(met ? "met" : "missed")} |"));
            }
        }

        output.WriteLine();
    }

    private static List<(ChildRun Run, StandardScenario.RunResult Result)> Results(List<ChildRun> runs, string gc, Configuration configuration) =>
        [.. runs.Where(r => r.Gc == gc && r.Configuration == configuration && r.Result is not null).Select(r => (r, r.Result!))];

    private static List<double> Ratios(List<ChildRun> runs, string gc, Configuration configuration, Func<StandardScenario.RunResult, double> value)
    {
        var ratios = new List<double>();
        foreach (var (run, result) in Results(runs, gc, configuration))
        {
            var baseline = runs.FirstOrDefault(r => r.Gc == gc && r.Round == run.Round && r.Configuration.IsBaseline && r.Result is not null);
            if (baseline is not null && value(baseline.Result!) > 0)
            {
                ratios.Add(value(result) / value(baseline.Result!));
            }
        }

        return ratios;
    }

    private static string Stat(IEnumerable<double> values, string format)
    {
        var list = values.Where(double.IsFinite).ToList();
        if (list.Count == 0)
        {
            return "n/a";
        }

        var median = ComparisonRunner.Median(list).ToString(format, CultureInfo.InvariantCulture);
        return list.Count == 1 ? median : $"{median} ({list.Min().ToString(format, CultureInfo.InvariantCulture)}–{list.Max().ToString(format, CultureInfo.InvariantCulture)})";
    }
}
