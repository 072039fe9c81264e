namespace ManufacturingOrchestration.Samples;

/// <summary>What a sample run is asked for. <see cref="SampleCommandLine"/> reads it from the command line; tests build it directly.</summary>
public sealed class SampleOptions
{
    /// <summary>The plant-floor simulator's default number of plant events.</summary>
    public const int DefaultEvents = 600;

    /// <summary>The default seed.</summary>
    public const int DefaultSeed = 42;

    /// <summary>How many plant events the plant-floor simulator generates (the scenario samples ignore it).</summary>
    public int Events { get; init; } = DefaultEvents;

    /// <summary>The seed of everything random (event mix, faults, retry jitter): the same seed gives the same run.</summary>
    public int Seed { get; init; } = DefaultSeed;

    /// <summary>
    /// Where the sample writes its files (a SQLite store, diagrams, genealogy files); only the samples that write files
    /// need it. On the command line it is the <c>--out</c> folder, or a new folder under the temp directory for that run alone.
    /// </summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Whether the files stay after the run (the user named the folder); otherwise the folder is removed at the end.</summary>
    public bool KeepOutput { get; init; }

    /// <summary>Whether a live display may be drawn (only when the output is a terminal). Default false: plain lines.</summary>
    public bool Interactive { get; init; }

    /// <summary>The switches given on the command line (options without a value, such as <c>--without-lims</c>), by name.</summary>
    public IReadOnlyCollection<string> Switches { get; init; } = [];

    /// <summary>Whether a switch was given.</summary>
    /// <param name="name">The switch, such as <c>--without-lims</c>.</param>
    /// <returns><see langword="true"/> when it was on the command line.</returns>
    public bool IsOn(string name) => Switches.Contains(name, StringComparer.Ordinal);

    /// <summary>The values of the text options given on the command line (such as <c>--postgres</c>), by name.</summary>
    public IReadOnlyDictionary<string, string> Texts { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The values of the number options without a default given on the command line (such as <c>--nodes</c>), by name.</summary>
    public IReadOnlyDictionary<string, int> Numbers { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>A text option's value.</summary>
    /// <param name="name">The option, such as <c>--postgres</c>.</param>
    /// <returns>The value, or <see langword="null"/> when the option was not given.</returns>
    public string? TextOf(string name) => Texts.TryGetValue(name, out var value) ? value : null;

    /// <summary>A number option's value.</summary>
    /// <param name="name">The option, such as <c>--nodes</c>.</param>
    /// <returns>The value, or <see langword="null"/> when the option was not given.</returns>
    public int? NumberOf(string name) => Numbers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The output directory, created, as a full path.</summary>
    /// <returns>The full path of <see cref="OutputDirectory"/>.</returns>
    /// <exception cref="InvalidOperationException"><see cref="OutputDirectory"/> is not set.</exception>
    public string RequireOutputDirectory()
    {
        var directory = Path.GetFullPath(OutputDirectory ?? throw new InvalidOperationException("This sample writes files: set OutputDirectory."));
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>
    /// The path of a SQLite store in the output directory, with what an earlier run left under that name (the file and
    /// its <c>-wal</c> and <c>-shm</c> companions) deleted, so the run starts from an empty store.
    /// </summary>
    /// <param name="fileName">The store's file name, such as <c>plant-floor.db</c>.</param>
    /// <returns>The full path.</returns>
    public string FreshStorePath(string fileName)
    {
        var path = Path.Combine(RequireOutputDirectory(), fileName);
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        return path;
    }
}
