using ManufacturingOrchestration.StandardScenario;

namespace ManufacturingOrchestration.Comparison.MassTransit;

/// <summary>What the MassTransit baseline runs: the same knobs as the throughput runner where they apply.</summary>
public sealed class MassTransitOptions
{
    /// <summary>Lots, one inspection result each. Default 20,000.</summary>
    public int Lots { get; set; } = 20_000;

    /// <summary>The saga's <c>ConcurrentMessageLimit</c>: the orchestrator's worker count. Default: processor count.</summary>
    public int Parallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Concurrent publisher tasks. Default 4.</summary>
    public int Publishers { get; set; } = 4;

    /// <summary>Messages per <c>PublishBatch</c> call. Default 256.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>Runs a warm-up on a separate bus first, until the JIT has settled.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>Prints one JSON result line.</summary>
    public bool Json { get; set; }

    /// <summary>Open-loop arrival rate, events/s; <see langword="null"/> for a saturation run.</summary>
    public double? Rate { get; set; }

    /// <summary>Parses command-line arguments: --lots N, --parallelism P, --publishers N, --batch N, --no-warmup, --json, --rate N.</summary>
    /// <returns>The options, or an error message.</returns>
    public static (MassTransitOptions? Options, string? Error) Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new MassTransitOptions();
        var error = ArgumentReader.Read(args, a =>
        {
            switch (a.Option)
            {
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

        if (options.Lots < 1 || options.Parallelism < 1 || options.Publishers < 1 || options.BatchSize < 1)
        {
            return (null, "--lots, --parallelism, --publishers and --batch must be at least 1.");
        }

        if (options.Rate is { } rate && !(rate > 0 && double.IsFinite(rate)))
        {
            return (null, "--rate must be a positive number of events per second.");
        }

        return (options, null);
    }
}
