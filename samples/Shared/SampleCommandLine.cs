using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;

namespace ManufacturingOrchestration.Samples;

/// <summary>
/// A sample's command line: the options it takes, <c>--help</c> listing them, a one-line error and exit code 2 for
/// anything it cannot read, and the output folder — the one <c>--out</c> names (kept), or a new folder under the temp
/// directory for this run alone (removed at the end), so two runs never share files.
/// </summary>
public sealed class SampleCommandLine
{
    /// <summary>The run ended and its checks passed (audit chain verified, no open dead letter, no repeated effect).</summary>
    public const int ExitPassed = 0;

    /// <summary>The run ended but a check failed.</summary>
    public const int ExitChecksFailed = 1;

    /// <summary>The command line could not be read: an unknown option, a missing or bad value, an output folder that cannot be written.</summary>
    public const int ExitUsage = 2;

    /// <summary>The run was cancelled (Ctrl+C).</summary>
    public const int ExitCancelled = 130;

    private readonly string _name;
    private readonly RootCommand _root;
    private readonly List<Option<bool>> _switches = [];
    private readonly List<Option<string>> _texts = [];
    private readonly List<Option<int>> _numbers = [];
    private readonly List<Func<SampleOptions, string?>> _rules = [];
    private Option<int>? _events;
    private Option<int>? _seed;
    private Option<string>? _output;

    /// <summary>A command line with <c>--help</c> only; add the options the sample uses.</summary>
    /// <param name="name">The sample's folder under <c>samples/</c>, such as <c>PlantFloor</c>.</param>
    /// <param name="description">What the sample shows, for <c>--help</c>.</param>
    public SampleCommandLine(string name, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        _name = name;
        _root = new RootCommand($"{description}{Environment.NewLine}Run it with: dotnet run --project samples/{name} -c Release -- [options]") { HelpName = name };

        // --version would report whatever process hosts the sample (a test runner, dotnet run); a sample has no version of its own.
        foreach (var version in _root.Options.OfType<VersionOption>().ToArray())
        {
            _root.Options.Remove(version);
        }
    }

    /// <summary>Adds <c>--events N</c>: how many plant events to generate (at least 1).</summary>
    /// <returns>This command line.</returns>
    public SampleCommandLine WithEvents()
    {
        _events = Number("--events", "N", "How many plant events to generate.", SampleOptions.DefaultEvents, minimum: 1);
        _root.Options.Add(_events);
        return this;
    }

    /// <summary>Adds <c>--seed S</c>.</summary>
    /// <param name="seeds">What the seed decides, for <c>--help</c>, such as <c>the event mix and the faults</c>.</param>
    /// <returns>This command line.</returns>
    public SampleCommandLine WithSeed(string seeds)
    {
        _seed = Number("--seed", "S", $"The seed of {seeds}: the same seed gives the same run.", SampleOptions.DefaultSeed, minimum: int.MinValue);
        _root.Options.Add(_seed);
        return this;
    }

    /// <summary>Adds <c>--out DIR</c>: where the sample's files are written and kept.</summary>
    /// <param name="files">What the sample writes, for <c>--help</c>, such as <c>the SQLite store</c>.</param>
    /// <returns>This command line.</returns>
    public SampleCommandLine WithOutput(string files)
    {
        _output = new Option<string>("--out")
        {
            HelpName = "DIR",
            Description = $"The folder for {files}, kept after the run; an earlier run's files in it are replaced. Default: a new folder under the temp directory for this run alone, removed at the end.",
        };
        _root.Options.Add(_output);
        return this;
    }

    /// <summary>Adds a switch, an option without a value such as <c>--without-lims</c>: the sample reads it with <see cref="SampleOptions.IsOn"/>.</summary>
    /// <param name="name">The option, such as <c>--without-lims</c>.</param>
    /// <param name="description">What it changes, for <c>--help</c>.</param>
    /// <returns>This command line.</returns>
    public SampleCommandLine WithSwitch(string name, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        var option = new Option<bool>(name) { Description = description };
        _switches.Add(option);
        _root.Options.Add(option);
        return this;
    }

    /// <summary>Adds an option with a text value, such as <c>--postgres CONNECTION</c>: the sample reads it with <see cref="SampleOptions.TextOf"/>.</summary>
    /// <param name="name">The option, such as <c>--postgres</c>.</param>
    /// <param name="helpName">What its value is, for <c>--help</c>, such as <c>CONNECTION</c>.</param>
    /// <param name="description">What it changes, for <c>--help</c>.</param>
    /// <returns>This command line.</returns>
    public SampleCommandLine WithText(string name, string helpName, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(helpName);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        var option = new Option<string>(name) { HelpName = helpName, Description = description };
        _texts.Add(option);
        _root.Options.Add(option);
        return this;
    }

    /// <summary>Adds an option with a whole number that may be left out, such as <c>--nodes N</c>: the sample reads it with <see cref="SampleOptions.NumberOf"/>.</summary>
    /// <param name="name">The option, such as <c>--nodes</c>.</param>
    /// <param name="helpName">What its value is, for <c>--help</c>, such as <c>N</c>.</param>
    /// <param name="description">What it changes, for <c>--help</c>.</param>
    /// <param name="minimum">The smallest value taken.</param>
    /// <returns>This command line.</returns>
    public SampleCommandLine WithNumber(string name, string helpName, string description, int minimum)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(helpName);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        var option = Number(name, helpName, description, defaultValue: minimum, minimum);
        option.DefaultValueFactory = null;
        _numbers.Add(option);
        _root.Options.Add(option);
        return this;
    }

    /// <summary>
    /// Adds a rule on the options together (such as "<c>--nodes</c> needs <c>--postgres</c>"): when it returns a
    /// problem, that one line is written to standard error and nothing runs (exit 2).
    /// </summary>
    /// <param name="rule">Returns the problem, or <see langword="null"/> when the options are fine.</param>
    /// <returns>This command line.</returns>
    public SampleCommandLine WithRule(Func<SampleOptions, string?> rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        _rules.Add(rule);
        return this;
    }

    /// <summary>Runs a sample from the console: its standard output and error, Ctrl+C cancelling the run.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="sample">The sample's entry point, such as <c>CycleCountSample.RunAsync</c>.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunOnConsoleAsync(IReadOnlyList<string> args, Func<IReadOnlyList<string>, TextWriter, TextWriter, CancellationToken, Task<int>> sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        using var cancel = new CancellationTokenSource();
        void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            cancel.Cancel();
        }

        Console.CancelKeyPress += OnCancel;
        try
        {
            return await sample(args, Console.Out, Console.Error, cancel.Token);
        }
        finally
        {
            Console.CancelKeyPress -= OnCancel;
        }
    }

    /// <summary>
    /// Reads the command line and runs the sample: <c>--help</c> prints the options (exit 0); a bad command line prints
    /// one line per problem to <paramref name="error"/> (exit 2); otherwise the sample runs (exit 0 when its checks pass,
    /// 1 when not, 130 when cancelled) and a folder made for the run is removed at the end.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the sample and <c>--help</c> write.</param>
    /// <param name="error">Where problems are written.</param>
    /// <param name="run">Runs the sample with the options read; returns whether its checks passed.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, Func<SampleOptions, TextWriter, CancellationToken, Task<bool>> run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(run);
        var parsed = _root.Parse(args);
        if (parsed.Action is HelpAction)
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancellationToken);
        }

        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync($"{_name}: {problem.Message} (--help lists the options)");
            }

            return ExitUsage;
        }

        var given = new SampleOptions
        {
            Events = _events is null ? SampleOptions.DefaultEvents : parsed.GetValue(_events),
            Seed = _seed is null ? SampleOptions.DefaultSeed : parsed.GetValue(_seed),
            Switches = [.. _switches.Where(s => parsed.GetValue(s)).Select(s => s.Name)],
            Texts = _texts.Where(t => parsed.GetResult(t) is not null).ToDictionary(t => t.Name, t => parsed.GetValue(t) ?? string.Empty, StringComparer.Ordinal),
            Numbers = _numbers.Where(n => parsed.GetResult(n) is not null).ToDictionary(n => n.Name, n => parsed.GetValue(n), StringComparer.Ordinal),
        };
        foreach (var rule in _rules)
        {
            if (rule(given) is { } problem)
            {
                await error.WriteLineAsync($"{_name}: {problem} (--help lists the options)");
                return ExitUsage;
            }
        }

        var named = _output is null ? null : parsed.GetValue(_output);
        string? directory = null;
        if (_output is not null)
        {
            try
            {
                directory = named is null ? Directory.CreateTempSubdirectory($"manufacturing-orchestration-{_name}-").FullName : PrepareNamedFolder(named);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                await error.WriteLineAsync(named is null ? $"{_name}: cannot make a folder under the temp directory: {e.Message}" : $"{_name}: --out '{named}' cannot be written to: {e.Message}");
                return named is null ? ExitChecksFailed : ExitUsage;
            }

            await output.WriteLineAsync(named is null
                ? $"Output folder: {directory} (new for this run, removed at the end; --out DIR keeps the files)"
                : $"Output folder: {directory} (kept)");
        }

        try
        {
            var options = new SampleOptions
            {
                Events = given.Events,
                Seed = given.Seed,
                OutputDirectory = directory,
                KeepOutput = named is not null,
                Interactive = !Console.IsOutputRedirected,
                Switches = given.Switches,
                Texts = given.Texts,
                Numbers = given.Numbers,
            };
            return await run(options, output, cancellationToken) ? ExitPassed : ExitChecksFailed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"{_name}: cancelled.");
            return ExitCancelled;
        }
        finally
        {
            if (directory is not null && named is null)
            {
                await RemoveAsync(directory, error);
            }
        }
    }

    private static Option<int> Number(string name, string helpName, string description, int defaultValue, int minimum)
    {
        var option = new Option<int>(name) { HelpName = helpName, Description = description, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = result =>
        {
            var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
            if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= minimum)
            {
                return value;
            }

            result.AddError(minimum > int.MinValue
                ? $"{name} needs a whole number of at least {minimum}, not '{token}'."
                : $"{name} needs a whole number, not '{token}'.");
            return defaultValue;
        };
        return option;
    }

    // The named folder is created if need be and must take a file: finding out now gives one clear line instead of a
    // failure deep inside the run (a SQLite store that cannot open, a diagram that cannot be written).
    private static string PrepareNamedFolder(string named)
    {
        var directory = Path.GetFullPath(named);
        Directory.CreateDirectory(directory);
        var probe = Path.Combine(directory, $".write-check-{Guid.NewGuid():N}");
        File.WriteAllBytes(probe, []);
        File.Delete(probe);
        return directory;
    }

    private async Task RemoveAsync(string directory, TextWriter error)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"{_name}: could not remove {directory}: {e.Message}");
        }
    }
}
