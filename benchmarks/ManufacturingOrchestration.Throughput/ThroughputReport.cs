using System.Globalization;

namespace ManufacturingOrchestration.Throughput;

/// <summary>What one run measured and what its verification found.</summary>
public sealed class ThroughputReport
{
    /// <summary>The floor for the in-memory store, events per second.</summary>
    public const double MemoryFloorEventsPerSecond = 100_000;

    /// <summary>The floor for SQLite, events per second.</summary>
    public const double SqliteFloorEventsPerSecond = 10_000;

    /// <summary>The floor for one node on PostgreSQL (fsync on), events per second.</summary>
    public const double PostgreSqlFloorEventsPerSecond = 5_000;

    /// <summary>The allocation budget per event, bytes.</summary>
    public const double AllocationFloorBytesPerEvent = 16 * 1024;

    /// <summary>What was run.</summary>
    public required ThroughputOptions Options { get; init; }

    /// <summary>Events published (duplicates included).</summary>
    public long Events { get; init; }

    /// <summary>Events accepted and processed.</summary>
    public long Processed { get; init; }

    /// <summary>From the first publish to idle.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Processor time the whole process used during the timed part (all threads).</summary>
    public TimeSpan CpuTime { get; init; }

    /// <summary>The part of <see cref="CpuTime"/> spent in the kernel (system calls: sockets, file writes, thread wake-ups).</summary>
    public TimeSpan KernelCpuTime { get; init; }

    /// <summary>
    /// The PostgreSQL server's processor time during the run, by kind of process (see <see cref="ServerCpu"/>), when the
    /// server runs on this machine and its processes are visible; otherwise <see langword="null"/>.
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan>? ServerCpuTime { get; init; }

    /// <summary>From the first publish to the last publish call returning.</summary>
    public TimeSpan PublishElapsed { get; init; }

    /// <summary>Bytes allocated by the whole process during the timed part.</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>Gen 0 collections during the timed part.</summary>
    public int Gen0Collections { get; init; }

    /// <summary>Gen 2 collections during the timed part.</summary>
    public int Gen2Collections { get; init; }

    /// <summary>Time the runtime held every thread for garbage collection during the timed part.</summary>
    public TimeSpan GcPause { get; init; }

    /// <summary>
    /// Heap growth over the timed part, after full collections before and after: what the run left behind (the store's
    /// inbox, outbox and audit trail, the simulators' stock and effects log).
    /// </summary>
    public long RetainedBytes { get; init; }

    /// <summary>Time spent compiling methods (all threads) during the timed part: tiered recompilation not finished by the warm-up.</summary>
    public TimeSpan JitTime { get; init; }

    /// <summary>Methods compiled during the timed part.</summary>
    public long JitMethods { get; init; }

    /// <summary>The process's peak working set (setup included).</summary>
    public long PeakWorkingSetBytes { get; init; }

    /// <summary>The largest working set sampled during the timed part.</summary>
    public long MaxWorkingSetDuringRunBytes { get; init; }

    /// <summary>The largest orchestrator backlog sampled (queued or in-flight work items).</summary>
    public long MaxBacklog { get; init; }

    /// <summary>The back-pressure bound: queue capacity × parallelism.</summary>
    public long BacklogBound { get; init; }

    /// <summary>Median latency from acceptance to committed step, ms.</summary>
    public double LatencyP50Ms { get; init; }

    /// <summary>99th percentile latency, ms.</summary>
    public double LatencyP99Ms { get; init; }

    /// <summary>Latency measurements taken.</summary>
    public int LatencySamples { get; init; }

    /// <summary>How far the open-loop generator fell behind its schedule at most, ms (0 for a saturation run).</summary>
    public double MaxScheduleLagMs { get; init; }

    /// <summary>Gen 1 collections during the timed part (gen 2 included).</summary>
    public int Gen1Collections { get; set; }

    /// <summary>Each collector pause of the timed part, ms, longest first (from the runtime's events).</summary>
    public double[] GcPausesMs { get; set; } = [];

    /// <summary>What the last gen 0 or gen 1 collection of the timed part promoted (copied to an older generation), bytes.</summary>
    public long LastEphemeralPromotedBytes { get; set; }

    /// <summary>The working set when the clock started: the scenario's envelopes, the simulators' lots, the warm-up's leftovers.</summary>
    public long StartWorkingSetBytes { get; set; }

    /// <summary>Every verification failure.</summary>
    public List<string> Failures { get; } = [];

    /// <summary>Whether the store was available.</summary>
    public bool Available { get; init; } = true;

    /// <summary>Whether the run verified.</summary>
    public bool Passed => Available && Failures.Count == 0;

    /// <summary>Accepted events per second, end to end.</summary>
    public double EventsPerSecond => Processed / Elapsed.TotalSeconds;

    /// <summary>Allocated bytes per accepted event.</summary>
    public double BytesPerEvent => Processed == 0 ? 0 : (double)AllocatedBytes / Processed;

    /// <summary>The one-line result the comparison reads.</summary>
    /// <returns>The result.</returns>
    public StandardScenario.RunResult ToResult() => new()
    {
        Runner = Options.Workflow.ToString().ToLowerInvariant(),
        Store = Options.Store.ToString().ToLowerInvariant(),
        Lots = Options.Lots,
        Events = Events,
        Processed = Processed,
        Rate = Options.Rate ?? 0,
        EventsPerSecond = Processed == 0 ? 0 : EventsPerSecond,
        BytesPerEvent = BytesPerEvent,
        CpuMicrosecondsPerEvent = CpuTime.TotalMilliseconds * 1000 / Math.Max(Processed, 1),
        GcPauseMs = GcPause.TotalMilliseconds,
        LatencyP50Ms = LatencyP50Ms,
        LatencyP99Ms = LatencyP99Ms,
        MaxScheduleLagMs = MaxScheduleLagMs,
        Passed = Passed,
        Failures = [.. Failures.Take(10)],
    };

    /// <summary>A report for a store this build cannot run.</summary>
    /// <param name="options">What was asked for.</param>
    /// <returns>The report.</returns>
    public static ThroughputReport NotAvailable(ThroughputOptions options) => new() { Options = options, Available = false };

    private static string GarbageCollector()
    {
        // The collector the run was measured with: the runner's project sets it; DOTNET_GCDynamicAdaptationMode overrides DATAS.
        if (!System.Runtime.GCSettings.IsServerGC)
        {
            return "workstation GC";
        }

        var mode = Environment.GetEnvironmentVariable("DOTNET_GCDynamicAdaptationMode") ?? AppContext.GetData("System.GC.DynamicAdaptationMode")?.ToString();
        return mode == "0" ? "server GC, DATAS off" : "server GC, DATAS on";
    }

    internal static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>Writes the report.</summary>
    /// <param name="output">Where to.</param>
    public void WriteTo(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var c = CultureInfo.InvariantCulture;
        var floor = Options.Store switch
        {
            ThroughputStore.Memory => MemoryFloorEventsPerSecond,
            ThroughputStore.Sqlite => SqliteFloorEventsPerSecond,
            _ => PostgreSqlFloorEventsPerSecond,
        };
        output.WriteLine(string.Create(c, $"scenario      incoming inspection ({Options.Workflow.ToString().ToLowerInvariant()} workflow), store {Options.Store.ToString().ToLowerInvariant()}, {Options.Lots:N0} lots, parallelism {Options.Parallelism}, {Options.Publishers} publishers x batches of {Options.BatchSize}{(Options.Burst ? ", burst" : string.Empty)}{(Options.Plant == ThroughputPlant.Counting ? ", counting plant" : string.Empty)}"));
        output.WriteLine(string.Create(c, $"machine       {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {GarbageCollector()}"));
        output.WriteLine(string.Create(c, $"events        {Events:N0} published, {Processed:N0} accepted and processed"));
        output.WriteLine(string.Create(c, $"elapsed       {Elapsed.TotalSeconds:F2} s (publishing done after {PublishElapsed.TotalSeconds:F2} s)"));
        output.WriteLine(string.Create(c, $"throughput    {EventsPerSecond:N0} events/s (floor {floor:N0}){(EventsPerSecond >= floor ? string.Empty : "  BELOW FLOOR")}"));
        output.WriteLine(string.Create(c, $"cpu           {CpuTime.TotalMilliseconds * 1000 / Math.Max(Processed, 1):F1} us of processor time per event (all threads; {Processed / Math.Max(CpuTime.TotalSeconds, 1e-9):N0} events per processor-second, {KernelCpuTime / CpuTime:P0} of it in the kernel, load {LoadAverage()})"));
        if (ServerCpuTime is { } server)
        {
            var serverCpu = server[ServerCpu.Ours] + server[ServerCpu.Background];
            var processed = Math.Max(Processed, 1);
            output.WriteLine(string.Create(c, $"server cpu    {serverCpu.TotalMilliseconds * 1000 / processed:F1} us/event: the store's backends {server[ServerCpu.Ours].TotalMilliseconds * 1000 / processed:F1} + the server's own processes (WAL writer, checkpointer...) {server[ServerCpu.Background].TotalMilliseconds * 1000 / processed:F1}; not counted: other clients' backends {server[ServerCpu.OtherClients].TotalSeconds:F2} s, processes that exited meanwhile {server[ServerCpu.Exited].TotalSeconds:F2} s"));
            output.WriteLine(string.Create(c, $"total cpu     {(CpuTime + serverCpu).TotalMilliseconds * 1000 / processed:F1} us/event, orchestrator and server: {(CpuTime + serverCpu) / Elapsed:F2} cores busy on average of {Environment.ProcessorCount}"));
        }
        output.WriteLine(string.Create(c, $"allocated     {BytesPerEvent / 1024:F2} KB/event (budget 16 KB){(BytesPerEvent <= AllocationFloorBytesPerEvent ? string.Empty : "  OVER BUDGET")}; gen0 {Gen0Collections}, gen2 {Gen2Collections}, paused {GcPause.TotalMilliseconds:F0} ms ({GcPause / Elapsed:P0} of elapsed)"));
        output.WriteLine(string.Create(c, $"gc pauses     {GcPausesMs.Length} (gen1 {Gen1Collections}), longest {string.Join(" / ", GcPausesMs.Take(3).Select(p => p.ToString("F1", c)))} ms, {GcPausesMs.Count(p => p > 10)} over 10 ms; the last gen0/gen1 collection promoted {LastEphemeralPromotedBytes / 1048576.0:N0} MB"));
        output.WriteLine(string.Create(c, $"jit           {JitMethods:N0} methods compiled during the run, {JitTime.TotalMilliseconds:F0} ms"));
        output.WriteLine(string.Create(c, $"retained      {RetainedBytes / 1048576.0:N0} MB after the run ({RetainedBytes / 1024.0 / Math.Max(Processed, 1):F2} KB/event: store and simulators)"));
        output.WriteLine(string.Create(c, $"working set   peak {PeakWorkingSetBytes / 1048576.0:N0} MB (process, setup included); max during run {MaxWorkingSetDuringRunBytes / 1048576.0:N0} MB, at the start {StartWorkingSetBytes / 1048576.0:N0} MB"));
        output.WriteLine(string.Create(c, $"backlog       max {MaxBacklog:N0} work items (back-pressure bound {BacklogBound:N0} + in-flight follow-ups)"));
        output.WriteLine(string.Create(c, $"latency       p50 {LatencyP50Ms:F2} ms, p99 {LatencyP99Ms:F2} ms (accept -> committed step, {LatencySamples:N0} samples){(Options.Rate is { } rate ? $"; open loop at {rate:N0} events/s, at most {MaxScheduleLagMs:F1} ms behind schedule" : string.Empty)}"));
        foreach (var failure in Failures.Take(50))
        {
            output.WriteLine("FAIL  " + failure);
        }

        if (Failures.Count > 50)
        {
            output.WriteLine(string.Create(c, $"FAIL  ... and {Failures.Count - 50} more"));
        }

        output.WriteLine(Passed ? "PASS  every effect count, final lot state, idempotency key, explanation and audit chain verified" : "FAIL");
    }
}
