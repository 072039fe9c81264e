using System.Diagnostics;
using System.Globalization;
using ManufacturingOrchestration.StandardScenario;

namespace ManufacturingOrchestration.Comparison;

/// <summary>One configuration of the comparison: a runner and its arguments.</summary>
/// <param name="Name">How the table names it.</param>
/// <param name="IsBaseline">Whether this is MassTransit, the denominator of every ratio.</param>
/// <param name="Arguments">The runner's arguments (the lots and <c>--json</c> are added).</param>
internal sealed record Configuration(string Name, bool IsBaseline, string[] Arguments);

/// <summary>One child run's outcome.</summary>
internal sealed record ChildRun(int Round, string Gc, Configuration Configuration, RunResult? Result, int ExitCode, string Output)
{
    public bool Failed => ExitCode != 0 || Result is not { Passed: true };
}

/// <summary>
/// The comparison: every configuration in its own process, interleaved (the order reversed every other round) under
/// each collector, then an open-loop latency round at half of each configuration's median throughput, then the table
/// of medians and spreads of the ratios against MassTransit and the floors. Fails only when a run fails verification.
/// </summary>
public static class ComparisonRunner
{
    internal static readonly Configuration MassTransit = new("MassTransit 8.5.12, in memory", true, []);
    internal static readonly Configuration UserMemory = new("ours, NRules workflow, in memory", false, ["--workflow", "user", "--store", "memory"]);
    internal static readonly Configuration UserSqlite = new("ours, NRules workflow, SQLite", false, ["--workflow", "user", "--store", "sqlite"]);
    internal static readonly Configuration PlainMemory = new("ours, engine alone (plain C#), in memory", false, ["--workflow", "plain", "--store", "memory"]);

    /// <summary>The configurations a comparison runs: the PostgreSQL row only when a server is named.</summary>
    /// <param name="options">The comparison's options.</param>
    /// <returns>MassTransit first, then ours.</returns>
    internal static Configuration[] ConfigurationsFor(ComparisonOptions options) =>
        options.PostgreSqlConnectionString is { } connectionString
            ? [MassTransit, UserMemory, UserSqlite, UserPostgreSql(connectionString), PlainMemory]
            : [MassTransit, UserMemory, UserSqlite, PlainMemory];

    /// <summary>The NRules workflow on one node of the PostgreSQL store, on the named server.</summary>
    /// <param name="connectionString">The server.</param>
    /// <returns>The configuration.</returns>
    internal static Configuration UserPostgreSql(string connectionString) =>
        new(UserPostgreSqlName, false, ["--workflow", "user", "--postgres", connectionString]);

    /// <summary>The table's name of the PostgreSQL row.</summary>
    internal const string UserPostgreSqlName = "ours, NRules workflow, PostgreSQL (one node)";

    /// <summary>Runs the comparison.</summary>
    /// <returns>0 when every run verified, 1 when any failed.</returns>
    public static async Task<int> RunAsync(ComparisonOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var throughputDll = options.ThroughputDll ?? Beside("ManufacturingOrchestration.Throughput");
        var massTransitDll = options.MassTransitDll ?? Beside("ManufacturingOrchestration.Comparison.MassTransit");
        foreach (var dll in new[] { throughputDll, massTransitDll })
        {
            if (!File.Exists(dll))
            {
                output.WriteLine($"runner not found: {dll} (build benchmarks/ManufacturingOrchestration.Comparison first, or pass --throughput-dll / --masstransit-dll)");
                return 2;
            }
        }

        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"comparison    {options.Lots:N0} lots, {options.Rounds} interleaved round(s), collectors: {string.Join(", ", options.GcModes)}; {Environment.ProcessorCount} cores, load {RunResult.ReadLoadAverage()?.ToString("F2", c) ?? "n/a"}"));
        var configurations = ConfigurationsFor(options);
        var runs = new List<ChildRun>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var gc in options.GcModes)
            {
                var order = round % 2 == 1 ? configurations : [.. configurations.Reverse()];
                foreach (var configuration in order)
                {
                    var run = await RunChildAsync(options, configuration, configuration.IsBaseline ? massTransitDll : throughputDll, gc, round, rate: null, cancellationToken).ConfigureAwait(false);
                    runs.Add(run);
                    Progress(output, run);
                }
            }
        }

        var latencyRuns = new List<ChildRun>();
        var latencyGc = options.GcModes.Contains("server") ? "server" : options.GcModes[0];
        if (options.Latency)
        {
            foreach (var configuration in configurations)
            {
                var measured = runs.Where(r => r.Gc == latencyGc && r.Configuration == configuration && r.Result is not null).Select(r => r.Result!.EventsPerSecond).ToArray();
                if (measured.Length == 0 || Median(measured) is not (> 0 and var max))
                {
                    continue;
                }

                var rate = Math.Max(1, Math.Round(max / 2));
                var run = await RunChildAsync(options, configuration, configuration.IsBaseline ? massTransitDll : throughputDll, latencyGc, 0, rate, cancellationToken).ConfigureAwait(false);
                latencyRuns.Add(run);
                Progress(output, run);
            }
        }

        ComparisonTable.Write(output, options, configurations, runs, latencyRuns, latencyGc);
        var failed = runs.Concat(latencyRuns).Where(r => r.Failed).ToList();
        foreach (var run in failed)
        {
            output.WriteLine($"FAIL  {run.Configuration.Name}, {run.Gc} GC, round {run.Round}: exit {run.ExitCode}; {string.Join("; ", run.Result?.Failures ?? ["no result line"])}");
            output.WriteLine(Tail(run.Output, 20));
        }

        output.WriteLine(failed.Count == 0 ? "PASS  every run verified" : $"FAIL  {failed.Count} run(s) failed verification");
        return failed.Count == 0 ? 0 : 1;
    }

    /// <summary>The median of the values (NaN when there are none).</summary>
    /// <param name="values">The values.</param>
    /// <returns>The median.</returns>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Beside(string project)
    {
        // The artifacts layout: bin/<project>/<configuration>/<project>.dll, the runners beside this program's own folder.
        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(own.Parent!.Parent!.FullName, project, own.Name, project + ".dll");
    }

    private static async Task<ChildRun> RunChildAsync(ComparisonOptions options, Configuration configuration, string dll, string gc, int round, double? rate, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in configuration.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--lots");
        start.ArgumentList.Add(options.Lots.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--json");
        if (!options.WarmUp)
        {
            start.ArgumentList.Add("--no-warmup");
        }

        if (rate is { } r)
        {
            start.ArgumentList.Add("--rate");
            start.ArgumentList.Add(r.ToString(CultureInfo.InvariantCulture));
        }

        start.Environment["DOTNET_gcServer"] = gc == "server" ? "1" : "0";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ChildTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            if (ct.IsCancellationRequested)
            {
                throw;
            }
        }

        var text = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
        return new ChildRun(round, gc, configuration, RunResult.Find(text), process.ExitCode, text);
    }

    private static void Progress(TextWriter output, ChildRun run)
    {
        var c = CultureInfo.InvariantCulture;
        var what = run.Round == 0 ? string.Create(c, $"latency at {run.Result?.Rate ?? 0:N0}/s") : string.Create(c, $"round {run.Round}");
        output.WriteLine(run.Result is { } r
            ? string.Create(c, $"  {what,-22} {run.Gc,-11} {run.Configuration.Name,-42} {r.EventsPerSecond,9:N0} events/s {r.BytesPerEvent / 1024,6:F2} KB/event {r.CpuMicrosecondsPerEvent,7:F1} us/event  gc {r.GcPauseMs,4:F0} ms  p50 {r.LatencyP50Ms:F2} p99 {r.LatencyP99Ms:F2} ms  load {r.LoadAverage:F2}  {(r.Passed ? "PASS" : "FAIL")} ({r.GcMode} GC)")
            : $"  {what,-22} {run.Gc,-11} {run.Configuration.Name,-42} no result (exit {run.ExitCode})");
        output.Flush();
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));
}
