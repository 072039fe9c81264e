using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime;
using ManufacturingOrchestration.Engine.DependencyInjection;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.StandardScenario;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ManufacturingOrchestration.Throughput;

/// <summary>
/// Runs the standard incoming-inspection scenario through the orchestrator as an ordinary user composes it:
/// <c>AddManufacturingOrchestration</c>, the shipped inspection workflow and rule set (or, with
/// <see cref="ThroughputWorkflow.User"/>, the same work in a workflow written on the public API), the Testing simulators
/// or the counting plant (<see cref="ThroughputPlant"/>).
/// Measures throughput, allocations, working set and latency, then verifies every outcome.
/// </summary>
public static class ThroughputRunner
{
    /// <summary>Runs once (after an optional warm-up) and verifies.</summary>
    /// <param name="options">What to run.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The measurements and the verification.</returns>
    public static async Task<ThroughputReport> RunAsync(ThroughputOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        if (options.Store == ThroughputStore.Sqlite && !StoreFactory.SqliteAvailable)
        {
            output.WriteLine("store sqlite: not available in this build (the SQLite store package is not referenced yet).");
            return ThroughputReport.NotAvailable(options);
        }

        if (options.Store == ThroughputStore.PostgreSql && await StoreFactory.CheckPostgreSqlAsync(options.PostgreSqlConnectionString!, cancellationToken).ConfigureAwait(false) is { } unreachable)
        {
            output.WriteLine("store postgres: " + unreachable);
            return ThroughputReport.NotAvailable(options);
        }

        if (options.Nodes is not null)
        {
            return await ClusterRunner.RunAsync(options, output, cancellationToken).ConfigureAwait(false);
        }

        if (options.WarmUp && await WarmUpAsync(options, output, cancellationToken).ConfigureAwait(false) is { } failedWarmUp)
        {
            return failedWarmUp;
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var report = await RunOnceAsync(options, cancellationToken).ConfigureAwait(false);
        report.WriteTo(output);
        if (options.Json)
        {
            output.WriteLine(report.ToResult().ToLine());
        }

        return report;
    }

    /// <summary>
    /// Runs the scenario, up to 10,000 lots, on a separate orchestrator and store until the JIT has settled, so its work is
    /// not measured.
    /// </summary>
    /// <returns><see langword="null"/>, or the report of a warm-up that failed verification.</returns>
    internal static async Task<ThroughputReport?> WarmUpAsync(ThroughputOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var warm = new ThroughputOptions
        {
            Store = options.Store,
            PostgreSqlConnectionString = options.PostgreSqlConnectionString,

            // The code is what warms up; the prefilled rows matter to the timed run only (filling them costs minutes).
            Prefill = 0,
            Workflow = options.Workflow,
            Plant = options.Plant,
            // The node processes of a --nodes run warm up at once, on the same two cores: a share each.
            Lots = Math.Max(1, Math.Min(10_000, options.Lots) / (options.NodeIndex is null ? 1 : options.Nodes ?? 1)),
            Parallelism = options.Parallelism,
            Publishers = options.Publishers,
            BatchSize = options.BatchSize,
            QueueCapacity = options.QueueCapacity,
            Clustered = options.NodeIndex is not null,
            LeaseDuration = options.LeaseDuration,
        };

        // Warm up until the JIT has settled: tiered compilation recompiles hot methods in the background after they
        // have run a while, and on two cores that recompilation would otherwise be timed as part of the run.
        // A node process warms up once: its run in cluster mode rescans every pending event at each notification and poll,
        // which makes a warm-up round cost minutes on a loaded machine (see docs/scale-out.md).
        var rounds = options.NodeIndex is null ? MaxWarmUpRounds : 1;
        for (var round = 1; round <= rounds; round++)
        {
            var compiledBefore = JitInfo.GetCompiledMethodCount();
            var warmReport = await RunOnceAsync(warm, cancellationToken).ConfigureAwait(false);
            if (!warmReport.Passed)
            {
                output.WriteLine("warm-up failed verification:");
                warmReport.WriteTo(output);
                return warmReport;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            if (JitInfo.GetCompiledMethodCount() - compiledBefore < SettledJitMethods)
            {
                break;
            }
        }

        return null;
    }

    /// <summary>Adds the run's workflow (and, for the shipped one, the sites) to the orchestrator being composed.</summary>
    /// <returns>How a lot's explanation is checked.</returns>
    internal static Func<int, string?, string?> AddWorkflow(ManufacturingOrchestrationBuilder builder, ThroughputOptions options, InspectionScenario scenario)
    {
        if (options.Workflow == ThroughputWorkflow.User)
        {
            // Written on the public API: its own decision engine (the standard rules) and its own site profiles.
            var rules = UserRules.Value;
            var sampled = new ConcurrentDictionary<string, FactSet>(StringComparer.Ordinal);
            builder.AddWorkflow(new UserInspectionWorkflow(rules, scenario.Sites, sampled).Build());
            return (k, explanation) => SameAsDescribe(rules, sampled, k, explanation);
        }

        if (options.Workflow == ThroughputWorkflow.Plain)
        {
            builder.AddWorkflow(new PlainInspectionWorkflow(scenario.Sites).Build());
            return static (k, explanation) =>
            {
                var expected = InspectionScenario.IsFailed(k) ? PlainInspectionWorkflow.FailedExplanation : PlainInspectionWorkflow.PassedExplanation;
                return explanation == expected ? null : $"explanation '{explanation}' is not '{expected}'";
            };
        }

        builder.AddIncomingInspection();
        foreach (var site in scenario.Sites)
        {
            builder.AddSite(site);
        }

        return ScenarioVerifier.NamesDecidingRule;
    }

    /// <summary>
    /// The user workflow's explanation: for the 1 % sample, byte for byte what <see cref="DecisionSet.Describe"/> gives
    /// when the rules decide the same facts again; for every lot, that it names the deciding rule.
    /// </summary>
    private static string? SameAsDescribe(DecisionEngine rules, ConcurrentDictionary<string, FactSet> sampled, int k, string? explanation)
    {
        if (ScenarioVerifier.NamesDecidingRule(k, explanation) is { } wrong)
        {
            return wrong;
        }

        if (!InspectionScenario.IsExplanationSampled(k))
        {
            return null;
        }

        if (!sampled.TryGetValue(InspectionScenario.LotId(k), out var facts))
        {
            return "sampled for its explanation, but the rules never decided it";
        }

        var expected = rules.Decide(facts).Describe();
        return string.Equals(expected, explanation, StringComparison.Ordinal) ? null : $"the explanation differs from DecisionSet.Describe(): '{explanation}' vs '{expected}'";
    }

    private const int MaxWarmUpRounds = 6;

    /// <summary>
    /// The user workflow's decision engine, one per process as a host keeps it ("share one instance"): the warm-up then
    /// warms the engine that is timed. Built per run, each timed run compiled its rules' code again (about 300 methods,
    /// JIT-compiled on the workers at their first events), which no running host does.
    /// </summary>
    private static readonly Lazy<DecisionEngine> UserRules = new(() => new DecisionEngineBuilder().AddStandardRules().Build());
    private const int SettledJitMethods = 50;

    /// <summary>The server's processor time now (its backends serving the run's store apart), when its processes are visible here.</summary>
    private static async Task<ServerCpu?> TakeServerCpuAsync(NpgsqlConnection sampler, CancellationToken ct)
    {
        if (sampler.State != System.Data.ConnectionState.Open)
        {
            await sampler.OpenAsync(ct).ConfigureAwait(false);
        }

        return await ServerCpu.TakeAsync(sampler, StoreFactory.PostgreSqlApplicationName, ct).ConfigureAwait(false);
    }

    private static async Task<ThroughputReport> RunOnceAsync(ThroughputOptions options, CancellationToken ct)
    {
        var scenario = new InspectionScenario(options.Lots);
        using IScenarioPlant plant = options.Plant == ThroughputPlant.Counting ? new CountingPlant(scenario) : new SimulatedPlant(scenario);
        var events = new ScenarioEvents(scenario, buildAhead: options.Plant == ThroughputPlant.Simulators);

        await using var store = StoreFactory.Create(options);
        var services = new ServiceCollection();
        var explanations = (Func<int, string?, string?>)ScenarioVerifier.NamesDecidingRule;
        services.AddManufacturingOrchestration(builder =>
        {
            builder.UseStore(store.Store).UseAdapters(plant.Adapters);
            explanations = AddWorkflow(builder, options, scenario);
            if (options.Clustered)
            {
                builder.UseClustering(ClusterNode.Configure(options));
            }

            builder.Configure(o =>
            {
                o.Settings.Parallelism = options.Parallelism;
                o.Settings.NodeId = "throughput";
                if (options.QueueCapacity is { } capacity)
                {
                    o.Settings.QueueCapacity = capacity;
                }
            });
        });
        await using var provider = services.BuildServiceProvider();
        var orchestrator = provider.GetRequiredService<Orchestrator>();
        var engineOptions = provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value;
        using var latency = new LatencyRecorder(orchestrator.Telemetry.Meter, events.Count);
        await orchestrator.StartAsync(ct).ConfigureAwait(false);

        var counts = new PublishCounts();
        var sampler = new WorkingSetSampler(orchestrator);
        await JitQuiet.WaitAsync(ct).ConfigureAwait(false);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen0Before = GC.CollectionCount(0);
        var gen2Before = GC.CollectionCount(2);
        var pausedBefore = GC.GetTotalPauseDuration();
        using var pauses = new GcPauseRecorder();
        var startWorkingSet = Environment.WorkingSet;
        var pausesFrom = DateTime.UtcNow;
        var gen1Before = GC.CollectionCount(1);
        var jitBefore = JitInfo.GetCompilationTime();
        var jitMethodsBefore = JitInfo.GetCompiledMethodCount();
        await using var serverSampler = store.PostgreSqlConnectionString is { } server
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { ApplicationName = "mo-throughput-sampler", Pooling = false }.ConnectionString)
            : null;
        var serverBefore = serverSampler is null ? null : await TakeServerCpuAsync(serverSampler, ct).ConfigureAwait(false);
        var kernelBefore = Process.GetCurrentProcess().PrivilegedProcessorTime;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var maxLag = 0d;
        var publishers = new Task[options.Rate is null ? options.Publishers : 0];
        if (options.Rate is { } rate)
        {
            // Open loop: every event at its scheduled time, whatever the orchestrator does (its back-pressure shows as lag).
            maxLag = await OpenLoop.RunAsync(
                events.Count,
                rate,
                clock,
                async (from, to) => counts.Add(await orchestrator.PublishBatchAsync(events.Take(to - from), ct).ConfigureAwait(false)),
                ct).ConfigureAwait(false);
        }

        for (var p = 0; p < publishers.Length; p++)
        {
            publishers[p] = Task.Run(
                async () =>
                {
                    while (events.Take(options.BatchSize) is { Count: > 0 } batch)
                    {
                        var results = await orchestrator.PublishBatchAsync(batch, ct).ConfigureAwait(false);
                        counts.Add(results);
                    }
                },
                ct);
        }

        await Task.WhenAll(publishers).ConfigureAwait(false);
        var published = clock.Elapsed;
        await orchestrator.WaitForIdleAsync(ct).ConfigureAwait(false);
        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var kernel = Process.GetCurrentProcess().PrivilegedProcessorTime - kernelBefore;
        var serverAfter = serverSampler is null ? null : await TakeServerCpuAsync(serverSampler, ct).ConfigureAwait(false);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var gen0 = GC.CollectionCount(0) - gen0Before;
        var gen2 = GC.CollectionCount(2) - gen2Before;
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        var gen1 = GC.CollectionCount(1) - gen1Before;
        var lastEphemeral = GC.GetGCMemoryInfo(GCKind.Ephemeral);
        var pausesTo = DateTime.UtcNow;
        var jitTime = JitInfo.GetCompilationTime() - jitBefore;
        var jitMethods = JitInfo.GetCompiledMethodCount() - jitMethodsBefore;
        await sampler.StopAsync().ConfigureAwait(false);
        var retained = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;

        var report = new ThroughputReport
        {
            Options = options,
            Events = events.Count,
            Processed = counts.Accepted,
            Elapsed = clock.Elapsed,
            CpuTime = cpu,
            KernelCpuTime = kernel,
            ServerCpuTime = serverBefore is not null && serverAfter is not null ? serverAfter.Since(serverBefore) : null,
            PublishElapsed = published,
            AllocatedBytes = allocated,
            Gen0Collections = gen0,
            Gen2Collections = gen2,
            GcPause = paused,
            RetainedBytes = retained,
            JitTime = jitTime,
            JitMethods = jitMethods,
            PeakWorkingSetBytes = Process.GetCurrentProcess().PeakWorkingSet64,
            MaxWorkingSetDuringRunBytes = sampler.MaxWorkingSet,
            MaxBacklog = sampler.MaxBacklog,
            BacklogBound = (long)engineOptions.Settings.QueueCapacity * engineOptions.Settings.Parallelism,
            LatencyP50Ms = latency.Percentile(50),
            LatencyP99Ms = latency.Percentile(99),
            LatencySamples = latency.Count,
            MaxScheduleLagMs = maxLag,
        };

        var verifier = new ScenarioVerifier(scenario, plant, orchestrator, counts, explanations);
        await verifier.VerifyAsync(report.Failures, ct).ConfigureAwait(false);

        // The runtime's pause events reach the listener late: read them once verification has given them time to arrive.
        report.Gen1Collections = gen1;
        report.StartWorkingSetBytes = startWorkingSet;
        report.LastEphemeralPromotedBytes = gen1 + gen0 > 0 ? lastEphemeral.PromotedBytes : 0;
        report.GcPausesMs = pauses.Pauses(pausesFrom, pausesTo);
        await orchestrator.StopAsync(ct).ConfigureAwait(false);
        return report;
    }
}
