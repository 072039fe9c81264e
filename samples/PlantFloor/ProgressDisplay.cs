using System.Globalization;
using Spectre.Console;

namespace ManufacturingOrchestration.Samples.PlantFloor;

/// <summary>A moment of the run, as the display shows it.</summary>
public sealed class ProgressSnapshot
{
    /// <summary>The shift phase.</summary>
    public required string Phase { get; init; }

    /// <summary>Time since the start.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Plant events to publish in all.</summary>
    public required int Planned { get; init; }

    /// <summary>Events published so far: plant events and approval answers (the supervisor's signatures, sent as events).</summary>
    public required long Published { get; init; }

    /// <summary>Events processed so far.</summary>
    public required long Processed { get; init; }

    /// <summary>Work queued or running.</summary>
    public required long Backlog { get; init; }

    /// <summary>Approvals signed.</summary>
    public required int Signed { get; init; }

    /// <summary>Approvals waiting.</summary>
    public required int Waiting { get; init; }

    /// <summary>Faults injected by the simulators.</summary>
    public required int Faults { get; init; }

    /// <summary>Dead letters seen / resolved.</summary>
    public required string DeadLetters { get; init; }

    /// <summary>SLA breaches so far.</summary>
    public required long SlaBreaches { get; init; }

    /// <summary>The line printed when the output is not a terminal.</summary>
    /// <returns>The line.</returns>
    public string ToLine() => string.Create(
        CultureInfo.InvariantCulture,
        $"[{Elapsed.TotalSeconds,5:0.0}s] {Phase,-15} published {Published,5}  processed {Processed,5}  backlog {Backlog,4}  approvals {Signed} signed/{Waiting} waiting  faults {Faults}  dead letters {DeadLetters}  SLA breaches {SlaBreaches}");
}

/// <summary>
/// Shows the run's progress: a live table when the output is an interactive terminal, otherwise a plain line about
/// once a second and at every phase change (so logs and redirected output stay readable).
/// </summary>
public sealed class ProgressDisplay
{
    private readonly TextWriter _output;
    private readonly bool _live;

    /// <summary>Creates the display.</summary>
    /// <param name="output">Where plain lines go.</param>
    /// <param name="interactive">Whether a live display was asked for.</param>
    public ProgressDisplay(TextWriter output, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = TextWriter.Synchronized(output);
        _live = interactive
            && ReferenceEquals(output, Console.Out)
            && !Console.IsOutputRedirected
            && AnsiConsole.Profile.Capabilities.Interactive
            && AnsiConsole.Profile.Capabilities.Ansi;
    }

    /// <summary>Announces a phase of the shift: a line of its own in plain output (the live table shows the phase anyway).</summary>
    /// <param name="message">What happens now.</param>
    /// <returns>A task that completes when written.</returns>
    public async Task AnnounceAsync(string message)
    {
        if (!_live)
        {
            await _output.WriteLineAsync("-- " + message);
        }
    }

    /// <summary>Shows snapshots until <paramref name="stop"/> fires, then the last one.</summary>
    /// <param name="snapshot">Takes a snapshot.</param>
    /// <param name="stop">Ends the display.</param>
    /// <returns>A task that completes when the display ended.</returns>
    public async Task RunAsync(Func<ProgressSnapshot> snapshot, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!_live)
        {
            // A line a second, and one whenever the shift moves to its next phase.
            var lastPhase = string.Empty;
            var lastLine = TimeSpan.MinValue;
            while (!stop.IsCancellationRequested)
            {
                var now = snapshot();
                if (now.Phase != lastPhase || now.Elapsed - lastLine >= TimeSpan.FromSeconds(1))
                {
                    await _output.WriteLineAsync(now.ToLine());
                    lastPhase = now.Phase;
                    lastLine = now.Elapsed;
                }

                await Delay(TimeSpan.FromMilliseconds(50), stop);
            }

            await _output.WriteLineAsync(snapshot().ToLine());
            return;
        }

        var table = Build(snapshot());
        await AnsiConsole.Live(table).AutoClear(false).StartAsync(async context =>
        {
            while (!stop.IsCancellationRequested)
            {
                Fill(table, snapshot());
                context.Refresh();
                await Delay(TimeSpan.FromMilliseconds(200), stop);
            }

            Fill(table, snapshot());
            context.Refresh();
        });
    }

    private static Table Build(ProgressSnapshot first)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Plant floor — P1 · P2 · P3[/]");
        table.AddColumn("what");
        table.AddColumn(new TableColumn("now").RightAligned());
        Fill(table, first);
        return table;
    }

    private static void Fill(Table table, ProgressSnapshot s)
    {
        table.Rows.Clear();
        table.AddRow("shift", Markup.Escape(s.Phase));
        table.AddRow("elapsed", s.Elapsed.TotalSeconds.ToString("0.0 s", CultureInfo.InvariantCulture));
        table.AddRow("published (plant events + approval answers) / plant events planned", $"{s.Published} / {s.Planned}");
        table.AddRow("processed", s.Processed.ToString(CultureInfo.InvariantCulture));
        table.AddRow("backlog", s.Backlog.ToString(CultureInfo.InvariantCulture));
        table.AddRow("approvals signed / waiting", $"{s.Signed} / {s.Waiting}");
        table.AddRow("faults injected", s.Faults.ToString(CultureInfo.InvariantCulture));
        table.AddRow("dead letters seen / resolved", Markup.Escape(s.DeadLetters));
        table.AddRow("SLA breaches", s.SlaBreaches.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task Delay(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended.
        }
    }
}
