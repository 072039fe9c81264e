namespace ManufacturingOrchestration.Samples;

/// <summary>What a sample run is asked for; every sample reads the same command line.</summary>
public sealed class SampleOptions
{
    /// <summary>How many plant events the plant-floor simulator generates (the scenario samples ignore it). Default 600.</summary>
    public int Events { get; init; } = 600;

    /// <summary>The seed of everything random (event mix, faults, retry jitter): the same seed gives the same run. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Where files are written (the SQLite store, the diagrams). Default: a folder under the temp directory.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Whether a live display may be drawn (only when the output is a terminal). Default false: plain lines.</summary>
    public bool Interactive { get; init; }

    /// <summary>Reads <c>--events N</c>, <c>--seed S</c> and <c>--out DIR</c>.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentException">An option is unknown or its value is missing or not a number.</exception>
    public static SampleOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var events = 600;
        var seed = 42;
        string? output = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
            switch (args[i])
            {
                case "--events":
                    events = int.TryParse(value, out var n) && n > 0 ? n : throw new ArgumentException("--events needs a positive number.", nameof(args));
                    break;
                case "--seed":
                    seed = int.TryParse(value, out var s) ? s : throw new ArgumentException("--seed needs a number.", nameof(args));
                    break;
                case "--out":
                    output = value;
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]} (use --events N, --seed S, --out DIR).", nameof(args));
            }

            i++;
        }

        return new SampleOptions { Events = events, Seed = seed, OutputDirectory = output, Interactive = !Console.IsOutputRedirected };
    }

    /// <summary>The output directory, created: <see cref="OutputDirectory"/> or a fresh folder under the temp directory.</summary>
    /// <param name="sample">The sample's name, for the default folder.</param>
    /// <returns>The full path.</returns>
    public string ResolveOutputDirectory(string sample)
    {
        var directory = Path.GetFullPath(OutputDirectory ?? Path.Combine(Path.GetTempPath(), "manufacturing-orchestration-samples", sample));
        Directory.CreateDirectory(directory);
        return directory;
    }
}
