using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using ManufacturingOrchestration.StandardScenario;
using ManufacturingOrchestration.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ManufacturingOrchestration.Comparison.MassTransit;

/// <summary>
/// Runs the standard scenario on MassTransit 8.5.12 configured as its documentation shows: a saga state machine
/// (<see cref="LotStateMachine"/>) registered with <c>AddSagaStateMachine</c> on the in-memory saga repository
/// (<c>.InMemoryRepository()</c>), the in-memory transport (<c>UsingInMemory</c> with <c>ConfigureEndpoints</c>), and
/// the saga's <c>ConcurrentMessageLimit</c> equal to the orchestrator's worker count. Measures what the throughput
/// runner measures over the same timed part (first publish → every message handled), then verifies the plant's effects
/// with <see cref="EffectVerifier"/>.
/// </summary>
public static class MassTransitRunner
{
    private const int MaxWarmUpRounds = 6;
    private const int SettledJitMethods = 50;

    /// <summary>Runs once (after an optional warm-up) and verifies.</summary>
    /// <returns>The result.</returns>
    public static async Task<RunResult> RunAsync(MassTransitOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        if (options.WarmUp)
        {
            var warm = new MassTransitOptions { Lots = Math.Min(10_000, options.Lots), Parallelism = options.Parallelism, Publishers = options.Publishers, BatchSize = options.BatchSize };
            for (var round = 1; round <= MaxWarmUpRounds; round++)
            {
                var compiledBefore = JitInfo.GetCompiledMethodCount();
                var warmResult = await RunOnceAsync(warm, cancellationToken).ConfigureAwait(false);
                if (!warmResult.Passed)
                {
                    output.WriteLine("warm-up failed verification:");
                    Write(warmResult, output);
                    return warmResult;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
                if (JitInfo.GetCompiledMethodCount() - compiledBefore < SettledJitMethods)
                {
                    break;
                }
            }
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var result = await RunOnceAsync(options, cancellationToken).ConfigureAwait(false);
        Write(result, output);
        if (options.Json)
        {
            output.WriteLine(result.ToLine());
        }

        return result;
    }

    private static async Task<RunResult> RunOnceAsync(MassTransitOptions options, CancellationToken ct)
    {
        var scenario = new InspectionScenario(options.Lots);
        using var plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = TimeProvider.System, RecordCalls = false });
        scenario.Register(plant);
        var messages = InspectionResult.From(scenario.CreateEvents());

        var statistics = new RunStatistics(messages.Length);
        var services = new ServiceCollection();
        services.AddSingleton(statistics);
        services.AddSingleton(new InspectionHandler(plant.Adapters, scenario.Sites.ToDictionary(s => s.Id), statistics));
        services.AddMassTransit(x =>
        {
            x.AddSagaStateMachine<LotStateMachine, LotSaga>(saga => saga.ConcurrentMessageLimit = options.Parallelism)
                .InMemoryRepository();
            x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(ct).ConfigureAwait(false);
        var failures = new List<string>();
        double eventsPerSecond, bytesPerEvent, cpuPerEvent, pausedMs, maxLag = 0;
        try
        {
            await JitQuiet.WaitAsync(ct).ConfigureAwait(false);

            // As the orchestrator's runner does: a full collection just before the clock, so each run starts with the
            // collector's whole gen0 budget and both sides meet their first collection after the same allocation.
            GC.GetTotalMemory(forceFullCollection: true);
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var pausedBefore = GC.GetTotalPauseDuration();
            var clock = Stopwatch.StartNew();
            if (options.Rate is { } rate)
            {
                maxLag = await OpenLoop.RunAsync(
                    messages.Length,
                    rate,
                    clock,
                    (from, to) => new ValueTask(bus.PublishBatch(new ArraySegment<InspectionResult>(messages, from, to - from), SetMessageId, ct)),
                    ct).ConfigureAwait(false);
            }
            else
            {
                var next = -options.BatchSize;
                var publishers = new Task[options.Publishers];
                for (var p = 0; p < publishers.Length; p++)
                {
                    publishers[p] = Task.Run(
                        async () =>
                        {
                            while (true)
                            {
                                var start = Interlocked.Add(ref next, options.BatchSize);
                                if (start >= messages.Length)
                                {
                                    return;
                                }

                                var batch = new ArraySegment<InspectionResult>(messages, start, Math.Min(options.BatchSize, messages.Length - start));
                                await bus.PublishBatch(batch, SetMessageId, ct).ConfigureAwait(false);
                            }
                        },
                        ct);
                }

                await Task.WhenAll(publishers).ConfigureAwait(false);
            }

            try
            {
                await statistics.Completion.WaitAsync(TimeSpan.FromMinutes(10), ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                failures.Add($"timed out: {statistics.Accepted + statistics.Duplicates + statistics.RejectedCount:N0} of {messages.Length:N0} messages seen after 10 minutes");
            }

            clock.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            var processed = Math.Max(statistics.Accepted, 1);
            eventsPerSecond = statistics.Accepted / clock.Elapsed.TotalSeconds;
            bytesPerEvent = (double)allocated / processed;
            cpuPerEvent = cpu.TotalMilliseconds * 1000 / processed;
            pausedMs = (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds;
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        failures.AddRange(statistics.Problems.Take(100));
        EffectVerifier.Verify(scenario, plant, statistics.Accepted, statistics.Duplicates, statistics.RejectedCount, failures);
        return new RunResult
        {
            Runner = "masstransit",
            Store = "memory",
            Lots = options.Lots,
            Events = messages.Length,
            Processed = statistics.Accepted,
            Rate = options.Rate ?? 0,
            EventsPerSecond = eventsPerSecond,
            BytesPerEvent = bytesPerEvent,
            CpuMicrosecondsPerEvent = cpuPerEvent,
            GcPauseMs = pausedMs,
            LatencyP50Ms = Percentiles.Of(statistics.Latencies, 50),
            LatencyP99Ms = Percentiles.Of(statistics.Latencies, 99),
            MaxScheduleLagMs = maxLag,
            Passed = failures.Count == 0,
            Failures = failures,
        };
    }

    private static void SetMessageId(PublishContext<InspectionResult> context) => context.MessageId = context.Message.EventMessageId;

    private static void Write(RunResult result, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"scenario      incoming inspection on MassTransit 8.5.12 (saga state machine, in-memory repository and transport), {result.Lots:N0} lots"));
        output.WriteLine(string.Create(c, $"machine       {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, load {result.LoadAverage?.ToString("F2", c) ?? "n/a"}"));
        output.WriteLine(string.Create(c, $"events        {result.Events:N0} published, {result.Processed:N0} handled"));
        output.WriteLine(string.Create(c, $"throughput    {result.EventsPerSecond:N0} events/s"));
        output.WriteLine(string.Create(c, $"cpu           {result.CpuMicrosecondsPerEvent:F1} us of processor time per event (all threads)"));
        output.WriteLine(string.Create(c, $"allocated     {result.BytesPerEvent / 1024:F2} KB/event; the collector paused the process {result.GcPauseMs:F0} ms"));
        output.WriteLine(string.Create(c, $"latency       p50 {result.LatencyP50Ms:F2} ms, p99 {result.LatencyP99Ms:F2} ms (publish -> saga handling done){(result.Rate > 0 ? $"; open loop at {result.Rate:N0} events/s, at most {result.MaxScheduleLagMs:F1} ms behind schedule" : string.Empty)}"));
        foreach (var failure in result.Failures.Take(50))
        {
            output.WriteLine("FAIL  " + failure);
        }

        output.WriteLine(result.Passed ? "PASS  every effect count, final lot state, idempotency key, duplicate and order per lot verified" : "FAIL");
    }
}
