using ManufacturingOrchestration.StandardScenario;

namespace ManufacturingOrchestration.Comparison;

/// <summary>What the comparison runs.</summary>
public sealed class ComparisonOptions
{
    /// <summary>Lots per run, passed down to every runner. Default 20,000.</summary>
    public int Lots { get; set; } = 20_000;

    /// <summary>Interleaved rounds. Default 3.</summary>
    public int Rounds { get; set; } = 3;

    /// <summary>The collectors to run under: server (the floors) and workstation (reported). Default both.</summary>
    public IReadOnlyList<string> GcModes { get; set; } = ["server", "workstation"];

    /// <summary>Runs the open-loop latency round at half of each configuration's measured maximum. Default on.</summary>
    public bool Latency { get; set; } = true;

    /// <summary>Passes <c>--no-warmup</c> down (a smoke run). Default off.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>The throughput runner's DLL; found beside this program's build output when not set.</summary>
    public string? ThroughputDll { get; set; }

    /// <summary>The MassTransit runner's DLL; found beside this program's build output when not set.</summary>
    public string? MassTransitDll { get; set; }

    /// <summary>
    /// A PostgreSQL server (Npgsql connection string) for the comparison's PostgreSQL row, or <see langword="null"/> to leave
    /// that row out. Each run makes its own schema there and drops it.
    /// </summary>
    public string? PostgreSqlConnectionString { get; set; }

    /// <summary>How long one child run may take before it counts as failed. Default 20 minutes.</summary>
    public TimeSpan ChildTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Parses --lots N, --rounds N, --gc server|workstation|both, --no-latency, --no-warmup, --throughput-dll PATH, --masstransit-dll PATH, --postgres CONNECTION.</summary>
    /// <returns>The options, or an error message.</returns>
    public static (ComparisonOptions? Options, string? Error) Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new ComparisonOptions();
        var error = ArgumentReader.Read(args, a =>
        {
            switch (a.Option)
            {
                case "--lots":
                    options.Lots = a.IntValue();
                    return true;
                case "--rounds":
                    options.Rounds = a.IntValue();
                    return true;
                case "--gc":
                    options.GcModes = a.Value().ToUpperInvariant() switch
                    {
                        "SERVER" => ["server"],
                        "WORKSTATION" => ["workstation"],
                        "BOTH" => ["server", "workstation"],
                        var other => throw new FormatException($"Unknown collector '{other}' (server, workstation, both)."),
                    };
                    return true;
                case "--no-latency":
                    options.Latency = false;
                    return true;
                case "--no-warmup":
                    options.WarmUp = false;
                    return true;
                case "--throughput-dll":
                    options.ThroughputDll = a.Value();
                    return true;
                case "--masstransit-dll":
                    options.MassTransitDll = a.Value();
                    return true;
                case "--postgres":
                    options.PostgreSqlConnectionString = a.Value();
                    return true;
                default:
                    return false;
            }
        });
        if (error is not null)
        {
            return (null, error);
        }

        if (options.Lots < 1 || options.Rounds < 1)
        {
            return (null, "--lots and --rounds must be at least 1.");
        }

        return (options, null);
    }
}
