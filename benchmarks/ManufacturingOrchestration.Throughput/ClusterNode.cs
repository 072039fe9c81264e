using System.Diagnostics;
using System.Globalization;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.StandardScenario;
using ManufacturingOrchestration.Storage.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ManufacturingOrchestration.Throughput;

/// <summary>
/// One node process of a <c>--nodes N</c> run (<c>--node I</c>): an orchestrator in cluster mode on the schema the
/// runner created, with simulators of its own seeded like every other node's, taking its orders line by line from its
/// standard input and answering on its standard output (<see cref="ClusterRunner"/> speaks the other side):
/// <c>status</c>, <c>go</c> (publish this node's share of the events: every N-th batch), <c>count</c>, <c>finish</c>
/// (wait until idle, then report the measurements), <c>verify</c> (the lots of its buckets), <c>verify-store</c> (the
/// store as a whole), <c>stop</c>. What it writes otherwise goes to standard error.
/// </summary>
internal static class ClusterNode
{
    /// <summary>The cluster settings every node of a run uses: the library's defaults but the lease (written out so that they show in a report).</summary>
    public static ClusterOptions Cluster { get; } = new() { Enabled = true, BucketCount = 256, PollInterval = TimeSpan.FromSeconds(2) };

    /// <summary>Sets a node's cluster options to <see cref="Cluster"/>'s, with the run's lease.</summary>
    public static Action<ClusterOptions> Configure(ThroughputOptions run) => options =>
    {
        options.BucketCount = Cluster.BucketCount;
        options.LeaseDuration = run.LeaseDuration;
        options.PollInterval = Cluster.PollInterval;
    };

    public static async Task<int> RunAsync(ThroughputOptions options, CancellationToken ct)
    {
        var index = options.NodeIndex!.Value;
        var nodes = options.Nodes!.Value;
        var log = Console.Error;
        if (options.WarmUp && await ThroughputRunner.WarmUpAsync(options, log, ct).ConfigureAwait(false) is not null)
        {
            Console.WriteLine("FAIL warm-up failed verification");
            return 1;
        }

        var scenario = new InspectionScenario(options.Lots);
        using var plant = new SimulatedPlant(scenario);
        var events = scenario.CreateEvents();

        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(
            new PostgreSqlStoreOptions { ConnectionString = options.PostgreSqlConnectionString, Schema = options.Schema! },
            cancellationToken: ct).ConfigureAwait(false);
        var services = new ServiceCollection();
        var explanations = (Func<int, string?, string?>)ScenarioVerifier.NamesDecidingRule;
        services.AddManufacturingOrchestration(builder =>
        {
            builder.UseStore(store).UseAdapters(plant.Adapters);
            explanations = ThroughputRunner.AddWorkflow(builder, options, scenario);
            builder.UseClustering(Configure(options));
            builder.Configure(o =>
            {
                o.Settings.Parallelism = options.Parallelism;
                o.Settings.NodeId = "node-" + index.ToString(CultureInfo.InvariantCulture);
                if (options.QueueCapacity is { } capacity)
                {
                    o.Settings.QueueCapacity = capacity;
                }
            });
        });
        await using var provider = services.BuildServiceProvider();
        var orchestrator = provider.GetRequiredService<Orchestrator>();
        using var processed = new ProcessedRecorder(orchestrator.Telemetry.Meter);
        await orchestrator.StartAsync(ct).ConfigureAwait(false);
        Console.WriteLine("READY");

        var counts = new PublishCounts();
        var publishing = Task.CompletedTask;
        int[] ownedAtStart = [];
        var lossesAtStart = 0L;
        var cpuBefore = TimeSpan.Zero;
        var allocatedBefore = 0L;
        var gen0Before = 0;
        var gen2Before = 0;
        var pausedBefore = TimeSpan.Zero;
        while (await Console.In.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            try
            {
                switch (line)
                {
                    case "status":
                        Console.WriteLine(Invariant($"STATUS {orchestrator.Cluster!.OwnedBuckets.Count} {orchestrator.Cluster.LeaseLosses}"));
                        break;
                    case "go":
                        ownedAtStart = [.. orchestrator.Cluster!.OwnedBuckets.Order()];
                        lossesAtStart = orchestrator.Cluster.LeaseLosses;
                        GC.Collect();
                        allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                        gen0Before = GC.CollectionCount(0);
                        gen2Before = GC.CollectionCount(2);
                        pausedBefore = GC.GetTotalPauseDuration();
                        cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                        publishing = PublishAsync(orchestrator, events, index, nodes, options, counts, ct);
                        break;
                    case "count":
                        Console.WriteLine(Invariant($"COUNT {processed.Count}"));
                        break;
                    case "finish":
                        await publishing.ConfigureAwait(false);
                        await orchestrator.WaitForIdleAsync(ct).ConfigureAwait(false);
                        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                        var owned = orchestrator.Cluster!.OwnedBuckets.Order().ToArray();
                        var losses = orchestrator.Cluster.LeaseLosses - lossesAtStart;
                        var moved = !owned.SequenceEqual(ownedAtStart) || losses != 0;
                        Console.WriteLine(Invariant(
                            $"DONE processed={processed.Count} last={processed.LastTimestamp} cpu_us={(long)(cpu.Ticks / 10)} allocated={GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore} gen0={GC.CollectionCount(0) - gen0Before} gen2={GC.CollectionCount(2) - gen2Before} paused_ms={(long)(GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds} moved={(moved ? 1 : 0)} held_end={owned.Length} losses={losses} buckets={string.Join(',', ownedAtStart)}"));
                        break;
                    case "verify":
                        var failures = new List<string>();
                        var mine = ownedAtStart.ToHashSet();
                        var verifier = new ScenarioVerifier(scenario, plant, orchestrator, counts, explanations);
                        await verifier.VerifyNodeAsync(k => mine.Contains(Cluster.BucketOf(InspectionScenario.LotId(k))), failures, ct).ConfigureAwait(false);
                        Report(failures);
                        Console.WriteLine("VERIFIED");
                        break;
                    case "verify-store":
                        var storeFailures = new List<string>();
                        await ScenarioVerifier.VerifyStoreAsync(orchestrator, scenario.Lots, storeFailures, ct).ConfigureAwait(false);
                        var pending = await store.ReadPendingEventsAsync(null, 0, 10, ct).ConfigureAwait(false);
                        EffectVerifier.Expect(storeFailures, "accepted events still pending in the inbox", 0, pending.Count);
                        Report(storeFailures);
                        Console.WriteLine("STORE-VERIFIED");
                        break;
                    case "stop":
                        await orchestrator.StopAsync(ct).ConfigureAwait(false);
                        Console.WriteLine("STOPPED");
                        return 0;
                    default:
                        Console.WriteLine("FAIL unknown order: " + line);
                        break;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Console.WriteLine("FAIL " + line + ": " + OneLine(e.ToString()));
                Console.WriteLine("ERROR");
            }
        }

        await orchestrator.StopAsync(ct).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// This node's share of the scenario's events: batch b goes to node b mod N, so every node accepts events of every
    /// kind, and a re-sent event usually reaches another node than its first copy did.
    /// </summary>
    private static async Task PublishAsync(Orchestrator orchestrator, EventEnvelope[] events, int index, int nodes, ThroughputOptions options, PublishCounts counts, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        var next = -1L;
        var publishers = new Task[options.Publishers];
        for (var p = 0; p < publishers.Length; p++)
        {
            publishers[p] = Task.Run(
                async () =>
                {
                    while (true)
                    {
                        var from = ((Interlocked.Increment(ref next) * nodes) + index) * options.BatchSize;
                        if (from >= events.Length)
                        {
                            return;
                        }

                        var batch = new ArraySegment<EventEnvelope>(events, (int)from, (int)Math.Min(options.BatchSize, events.Length - from));
                        counts.Add(await PublishWithRetryAsync(orchestrator, batch, ct).ConfigureAwait(false));
                    }
                },
                ct);
        }

        try
        {
            await Task.WhenAll(publishers).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.WriteLine("FAIL publishing: " + OneLine(e.ToString()));
        }

        Console.WriteLine(Invariant($"PUBLISHED start={start} end={Stopwatch.GetTimestamp()} accepted={counts.Accepted} duplicates={counts.Duplicates} rejected={counts.Rejected}"));
    }

    private static async Task<IReadOnlyList<PublishResult>> PublishWithRetryAsync(Orchestrator orchestrator, ArraySegment<EventEnvelope> batch, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await orchestrator.PublishBatchAsync(batch, ct).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (attempt < 5)
            {
                // As a publisher does: a batch the store did not accept is sent again. Had it been accepted after all, its
                // events come back as duplicates, and the publish counts show it.
                Console.Error.WriteLine("RETRY publish: " + e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
            }
        }
    }

    private static void Report(List<string> failures)
    {
        foreach (var failure in failures.Take(200))
        {
            Console.WriteLine("FAIL " + OneLine(failure));
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" | ");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
