using ManufacturingOrchestration.StandardScenario;

namespace ManufacturingOrchestration.Throughput;

/// <summary>The stores the runner can drive.</summary>
public enum ThroughputStore
{
    /// <summary>The engine's in-memory store.</summary>
    Memory,

    /// <summary>The embedded durable SQLite store.</summary>
    Sqlite,

    /// <summary>The PostgreSQL store, on the server <see cref="ThroughputOptions.PostgreSqlConnectionString"/> names (a fresh schema per run).</summary>
    PostgreSql,
}

/// <summary>Which incoming-inspection workflow handles the scenario's events.</summary>
public enum ThroughputWorkflow
{
    /// <summary>The shipped workflow and standard rules: <c>AddIncomingInspection()</c>.</summary>
    Shipped,

    /// <summary>
    /// The same work written in this project on the library's public API only (<see cref="UserInspectionWorkflow"/>):
    /// what a workflow written outside the library costs against the shipped one.
    /// </summary>
    User,

    /// <summary>
    /// The engine alone: a workflow on the public API whose decide step decides in plain C# (no rules engine), with the
    /// same handlers and step names as <see cref="User"/> (<see cref="PlainInspectionWorkflow"/>). What the
    /// orchestration itself costs, against the MassTransit baseline doing the same decision.
    /// </summary>
    Plain,
}

/// <summary>What the orchestrator's adapters drive.</summary>
public enum ThroughputPlant
{
    /// <summary>The Testing package's plant simulators (<see cref="SimulatedPlant"/>), and every envelope built before the clock starts.</summary>
    Simulators,

    /// <summary>
    /// <see cref="CountingPlant"/>, four bytes a lot, and envelopes made as they are published: the process then holds
    /// what the orchestrator holds (the 1,000,000-event burst's default).
    /// </summary>
    Counting,
}

/// <summary>What to run: store, lot count, worker parallelism, publishers.</summary>
public sealed class ThroughputOptions
{
    /// <summary>The burst size: one million lots, one event each.</summary>
    public const int BurstLots = 1_000_000;

    /// <summary>The most node processes a <see cref="Nodes"/> run starts.</summary>
    public const int MaxNodes = 16;

    /// <summary>The environment variable that carries the connection string to a node process.</summary>
    public const string NodeConnectionVariable = "MO_THROUGHPUT_POSTGRES";

    /// <summary>The store. Default memory.</summary>
    public ThroughputStore Store { get; set; } = ThroughputStore.Memory;

    /// <summary>The workflow. Default the shipped one.</summary>
    public ThroughputWorkflow Workflow { get; set; } = ThroughputWorkflow.Shipped;

    /// <summary>The plant. Default the simulators; with <see cref="Burst"/>, counting.</summary>
    public ThroughputPlant Plant { get; set; } = ThroughputPlant.Simulators;

    /// <summary>Lots, one inspection result each. Default 20,000.</summary>
    public int Lots { get; set; } = 20_000;

    /// <summary>Partition workers. Default: processor count.</summary>
    public int Parallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Concurrent publisher tasks. Default 4.</summary>
    public int Publishers { get; set; } = 4;

    /// <summary>Events per PublishBatchAsync call. Default 256.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// Work items each worker queues before publishers wait (<c>OrchestratorOptions.QueueCapacity</c>), or
    /// <see langword="null"/> for the engine's default.
    /// </summary>
    public int? QueueCapacity { get; set; }

    /// <summary>The burst mode (one million lots).</summary>
    public bool Burst { get; set; }

    /// <summary>Where the SQLite database goes; a temporary file when not set.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>
    /// The PostgreSQL server a <see cref="ThroughputStore.PostgreSql"/> run uses (an Npgsql connection string); each run
    /// creates its own schema there and drops it afterwards.
    /// </summary>
    public string? PostgreSqlConnectionString { get; set; }

    /// <summary>
    /// With the PostgreSQL store: rows of earlier work written into the run's schema before the clock starts — this many
    /// processed inbox events and as many completed outbox commands, of other partitions — so that a run shows what a
    /// grown database costs the work it claims. 0 (default) for an empty schema.
    /// </summary>
    public int Prefill { get; set; }

    /// <summary>
    /// With the PostgreSQL store: runs this many orchestrator node processes in cluster mode on one schema and publishes
    /// the scenario's events across them; <see langword="null"/> (default) for one orchestrator in this process.
    /// </summary>
    public int? Nodes { get; set; }

    /// <summary>
    /// With <see cref="Nodes"/>: the nodes' <c>ClusterOptions.LeaseDuration</c>. Default 10 s, the library's default; a
    /// longer lease keeps the buckets where they are through the pauses of a loaded machine, which the run needs (a bucket
    /// that moves mid-run has its pending commands sent again to another node's simulators).
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Set in a node process of a <see cref="Nodes"/> run only (<c>--node I</c>): this process is node I of the cluster
    /// and takes its orders from the runner on its standard input.
    /// </summary>
    public int? NodeIndex { get; set; }

    /// <summary>In a node process: the schema the runner created for the run (<c>--schema NAME</c>).</summary>
    public string? Schema { get; set; }

    /// <summary>
    /// The orchestrator runs in cluster mode, alone on its schema: a node process's warm-up, so that the cluster's own code
    /// paths (leases, notifications, reading a key's pending events) are compiled before the measured run.
    /// </summary>
    internal bool Clustered { get; set; }

    /// <summary>Runs a warm-up of up to 10,000 lots on a separate orchestrator first, so the JIT's work is not measured.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>Prints one JSON result line (<see cref="StandardScenario.RunResult"/>) after the report.</summary>
    public bool Json { get; set; }

    /// <summary>
    /// Publishes open-loop at this constant arrival rate (events/s) instead of as fast as back-pressure allows, to
    /// measure latency at a given load; <see langword="null"/> for a saturation run.
    /// </summary>
    public double? Rate { get; set; }

    /// <summary>Parses command-line arguments.</summary>
    /// <param name="args">--store memory|sqlite|postgres, --workflow shipped|user|plain, --lots N, --parallelism P, --publishers N, --batch N, --queue-capacity N, --burst, --plant simulators|counting, --db PATH, --postgres CONNECTION, --prefill N, --nodes N, --lease SECONDS, --no-warmup, --json, --rate N; and, in a node process, --node I and --schema NAME (the connection string from <see cref="NodeConnectionVariable"/>).</param>
    /// <returns>The options, or an error message.</returns>
    public static (ThroughputOptions? Options, string? Error) Parse(string[] args)
    {
        var options = new ThroughputOptions();
        ThroughputPlant? plant = null;
        var error = ArgumentReader.Read(args, a =>
        {
            switch (a.Option)
            {
                case "--store":
                    options.Store = a.Value().ToUpperInvariant() switch
                    {
                        "MEMORY" => ThroughputStore.Memory,
                        "SQLITE" => ThroughputStore.Sqlite,
                        "POSTGRES" or "POSTGRESQL" => ThroughputStore.PostgreSql,
                        var other => throw new FormatException($"Unknown store '{other}' (memory, sqlite, postgres)."),
                    };
                    return true;
                case "--workflow":
                    options.Workflow = a.Value().ToUpperInvariant() switch
                    {
                        "SHIPPED" => ThroughputWorkflow.Shipped,
                        "USER" => ThroughputWorkflow.User,
                        "PLAIN" => ThroughputWorkflow.Plain,
                        var other => throw new FormatException($"Unknown workflow '{other}' (shipped, user, plain)."),
                    };
                    return true;
                case "--lots":
                    options.Lots = a.IntValue();
                    return true;
                case "--parallelism":
                    options.Parallelism = a.IntValue();
                    return true;
                case "--publishers":
                    options.Publishers = a.IntValue();
                    return true;
                case "--batch":
                    options.BatchSize = a.IntValue();
                    return true;
                case "--queue-capacity":
                    options.QueueCapacity = a.IntValue();
                    return true;
                case "--burst":
                    options.Burst = true;
                    return true;
                case "--plant":
                    plant = a.Value().ToUpperInvariant() switch
                    {
                        "SIMULATORS" => ThroughputPlant.Simulators,
                        "COUNTING" => ThroughputPlant.Counting,
                        var other => throw new FormatException($"Unknown plant '{other}' (simulators, counting)."),
                    };
                    return true;
                case "--db":
                    options.DatabasePath = a.Value();
                    return true;
                case "--postgres":
                    options.Store = ThroughputStore.PostgreSql;
                    options.PostgreSqlConnectionString = a.Value();
                    return true;
                case "--prefill":
                    options.Prefill = a.IntValue();
                    return true;
                case "--nodes":
                    options.Nodes = a.IntValue();
                    return true;
                case "--lease":
                    options.LeaseDuration = TimeSpan.FromSeconds(a.DoubleValue());
                    return true;
                case "--node":
                    options.NodeIndex = a.IntValue();
                    return true;
                case "--schema":
                    options.Schema = a.Value();
                    return true;
                case "--no-warmup":
                    options.WarmUp = false;
                    return true;
                case "--json":
                    options.Json = true;
                    return true;
                case "--rate":
                    options.Rate = a.DoubleValue();
                    return true;
                default:
                    return false;
            }
        });
        if (error is not null)
        {
            return (null, error);
        }

        if (options.NodeIndex is not null)
        {
            // A node process: the runner hands it the connection string in its environment, not on a command line that
            // any local user can read.
            options.Store = ThroughputStore.PostgreSql;
            options.PostgreSqlConnectionString ??= Environment.GetEnvironmentVariable(NodeConnectionVariable);
            if (options.Nodes is not { } count || options.NodeIndex < 0 || options.NodeIndex >= count || string.IsNullOrWhiteSpace(options.Schema))
            {
                return (null, "--node I is a node process of a --nodes N run: it needs --nodes N, 0 <= I < N and --schema NAME.");
            }
        }

        if (options.Burst)
        {
            options.Lots = BurstLots;
        }

        options.Plant = plant ?? (options.Burst ? ThroughputPlant.Counting : ThroughputPlant.Simulators);

        if (options.Lots < 1 || options.Parallelism < 1 || options.Publishers < 1 || options.BatchSize < 1 || options.QueueCapacity < 1)
        {
            return (null, "--lots, --parallelism, --publishers, --batch and --queue-capacity must be at least 1.");
        }

        if (options.Prefill < 0 || (options.Prefill > 0 && options.Store != ThroughputStore.PostgreSql))
        {
            return (null, "--prefill N needs the PostgreSQL store (--postgres CONNECTION) and N of at least 0.");
        }

        if (options.Store == ThroughputStore.PostgreSql && string.IsNullOrWhiteSpace(options.PostgreSqlConnectionString))
        {
            return (null, "--store postgres needs --postgres CONNECTION (an Npgsql connection string).");
        }

        if (options.Nodes is { } nodes && (nodes < 1 || nodes > MaxNodes || options.Store != ThroughputStore.PostgreSql || options.Rate is not null || options.Plant != ThroughputPlant.Simulators))
        {
            return (null, $"--nodes N needs the PostgreSQL store (--postgres CONNECTION), no --rate, the simulators as the plant, and N from 1 to {MaxNodes}.");
        }

        if (!(options.LeaseDuration >= TimeSpan.FromSeconds(1) && options.LeaseDuration <= TimeSpan.FromMinutes(10)))
        {
            return (null, "--lease SECONDS must be from 1 to 600.");
        }

        if (options.Rate is { } rate && !(rate > 0 && double.IsFinite(rate)))
        {
            return (null, "--rate must be a positive number of events per second.");
        }

        return (options, null);
    }
}
