using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Telemetry;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Samples.CustomConnector;

/// <summary>
/// A command and a query of our own, to a target system of our own: the laboratory's LIMS. Lots that fail incoming
/// inspection get a retest sample in the LIMS (<see cref="RetestSampleWorkflow"/>), through a connector of our own
/// (<see cref="LimsConnector"/>). The LIMS is busy and answers 503 (retried durably), loses an answer after registering
/// (the retry finds the sample: AlreadyApplied), refuses a test method it has not configured (dead letter; the lot parks)
/// until the lab configures it and an operator replays the command under the same key. At the end every registration
/// in the LIMS's own journal file is matched against the commands the outbox completed: one each, no key twice.
/// </summary>
public static class CustomConnectorSample
{
    /// <summary>The switch that composes the orchestrator without the LIMS connector, to see the start-up check refuse it.</summary>
    public const string WithoutLims = "--without-lims";

    /// <summary>The orchestrator's SQLite store in the output folder.</summary>
    public const string StoreFileName = "custom-connector.db";

    /// <summary>The LIMS's journal in the output folder: one JSON line per registration it applied.</summary>
    public const string JournalFileName = "lims-journal.jsonl";

    /// <summary>Fails on capacitance while the LIMS's registration is busy: two 503 answers, then registered.</summary>
    public static readonly LotId BusyLot = new("L-CAP-2001");

    /// <summary>Fails on leakage current; the LIMS registers the sample but its answer is lost: the retry is answered AlreadyApplied.</summary>
    public static readonly LotId LostAnswerLot = new("L-CAP-2002");

    /// <summary>Fails on ESR, a test method the LIMS has not configured: dead-lettered, then replayed once the lab configured it.</summary>
    public static readonly LotId RefusedLot = new("L-CAP-2003");

    /// <summary>Fails on capacitance after the lab already drew a retest sample by hand: the workflow's query finds it, no command.</summary>
    public static readonly LotId HandSampledLot = new("L-CAP-2004");

    /// <summary>The test methods the LIMS has configured at the start (<c>ESR-100KHZ</c> is added during the run).</summary>
    public static readonly IReadOnlyList<string> ConfiguredTestMethods = ["CAP-LCR-1KHZ", "LEAK-DC-10V"];

    private static readonly DateTimeOffset ShiftStart = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    // Every wait of the run ends within this real time, or the run fails saying what was still pending.
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    /// <summary>The command line: <c>--help</c> lists the options; exit 0 when the run's checks pass, 1 when not (or when the orchestrator refuses to start), 2 for a bad command line.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the run and <c>--help</c> write.</param>
    /// <param name="error">Where command-line problems are written.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        new SampleCommandLine("CustomConnector", "A command and a query of our own to a target system of our own (a LIMS): transient failures retried durably, a refusal dead-lettered and replayed, every effect counted in the LIMS's own journal.")
            .WithOutput($"the SQLite store ({StoreFileName}) and the LIMS journal ({JournalFileName})")
            .WithSwitch(WithoutLims, "Compose the orchestrator without the LIMS connector: it refuses to start, naming the LIMS operations the workflow requires (exit 1).")
            .RunAsync(args, output, error, async (options, o, c) => (await RunAsync(options, o, c)).Passed, cancellationToken);

    /// <summary>Runs the sample and writes what happens.</summary>
    /// <param name="options">The options: the output folder, and <see cref="WithoutLims"/>.</param>
    /// <param name="output">Where to write.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report; its facts hold the LIMS's numbers.</returns>
    public static async Task<SampleReport> RunAsync(SampleOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var storePath = options.FreshStorePath(StoreFileName);
        var journalPath = Path.Combine(options.RequireOutputDirectory(), JournalFileName);
        File.Delete(journalPath);

        // The clock is simulated, so the default retry policy's waits pass at once and every run is the same.
        var time = new FakeTimeProvider(ShiftStart);
        using var lims = new LimsSimulator(journalPath, time, ConfiguredTestMethods);
        var notifications = new NotificationSimulator(new SimulatorOptions { TimeProvider = time });

        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddManufacturingOrchestration(mo =>
        {
            mo.UseSqlite(storePath)
                .AddCommand(LimsOperations.RecordRetestSample, LimsJsonContext.Default.RecordRetestSample)
                .AddQuery<FindRetestSample, RetestSample?>(LimsOperations.FindRetestSample)
                .AddAdapter(CommandKinds.NotificationSystem, notifications)
                .UseActorDirectory(new InMemoryActorDirectory(Plants.People))
                .AddWorkflow(RetestSampleWorkflow.Create())
                .Configure(o =>
                {
                    o.Settings.BootstrapFromErp = false; // this deployment's workflow reads nothing from an ERP
                    o.Settings.JitterSeed = 42;
                    o.Settings.NodeId = "sample";
                    o.Settings.Parallelism = 2;
                });
            if (!options.IsOn(WithoutLims))
            {
                mo.AddAdapter(LimsOperations.System, new LimsConnector(lims));
            }
        });
        await using var provider = services.BuildServiceProvider();

        Orchestrator orchestrator;
        try
        {
            orchestrator = provider.GetRequiredService<Orchestrator>();
        }
        catch (OptionsValidationException refused)
        {
            return await RefusedAsync(refused, output);
        }

        using var meters = new OrchestratorMeters(orchestrator.Telemetry);
        await orchestrator.StartAsync(cancellationToken);
        var run = new Session(orchestrator, time, lims, notifications, output);
        var retry = new RetryPolicy();
        await output.WriteLineAsync($"A LIMS of our own: command {LimsOperations.RecordRetestSample}, query {LimsOperations.FindRetestSample}, connector {nameof(LimsConnector)}; journal {journalPath}.");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"The clock is simulated: the default retry policy ({retry.InitialDelay.TotalSeconds:0} s doubling, ±{retry.Jitter:P0}, {retry.MaxAttempts} attempts) runs in no time, the same way every run."));

        await output.WriteLineAsync();
        await output.WriteLineAsync($"1. P1: lot {BusyLot} fails on capacitance. The LIMS's sample registration is busy for its next 2 calls.");
        lims.MakeRegistrationUnavailable(2);
        await run.PublishAsync(Failed(BusyLot, Plants.P1.Id, "capacitance", 82m, 90m, 110m, "µF", "Capacitance 82 µF measured, tolerance 100 µF ±10 %"), cancellationToken);

        await output.WriteLineAsync($"2. P1: lot {LostAnswerLot} fails on leakage current. The LIMS registers its sample, but the answer is lost on the way back.");
        lims.LoseAnswers(1);
        await run.PublishAsync(Failed(LostAnswerLot, Plants.P1.Id, "leakage-current", 4.1m, 0m, 3m, "µA", "Leakage current 4.1 µA at 10 V, limit 3 µA"), cancellationToken);

        await output.WriteLineAsync($"3. P2: lot {RefusedLot} fails on ESR. The LIMS has no test method ESR-100KHZ configured.");
        await run.PublishAsync(Failed(RefusedLot, Plants.P2.Id, "esr", 0.45m, 0m, 0.3m, "Ω", "ESR 0.45 Ω at 100 kHz, limit 0.3 Ω"), cancellationToken);
        var deadLetter = (await orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, cancellationToken)).Single();
        await output.WriteLineAsync($"    dead letter {deadLetter.Id}: {deadLetter.ReasonCode.Code} — {deadLetter.Message}");
        var parked = await orchestrator.GetPartitionAsync(RefusedLot.Value, cancellationToken);
        var waiting = await orchestrator.Store.ReadPendingCommandsAsync(RefusedLot.Value, cancellationToken);
        await output.WriteLineAsync($"    {RefusedLot} is parked since {parked?.Parked?.Since:HH:mm:ss.fff}; waiting behind the dead letter: {string.Join(", ", waiting.Select(c => c.Kind))}. The other lots go on.");

        var handSample = lims.DrawSampleByHand(HandSampledLot, "CAP-LCR-1KHZ", "lab-tech-lena");
        await output.WriteLineAsync($"4. P2: the lab already drew retest sample {handSample.SampleId} of {HandSampledLot} by hand; then the lot's failed inspection arrives.");
        await run.PublishAsync(Failed(HandSampledLot, Plants.P2.Id, "capacitance", 87m, 90m, 110m, "µF", "Capacitance 87 µF measured, tolerance 100 µF ±10 %"), cancellationToken);

        // The parked lot waits durably, for as long as it takes: here until 06:45.
        time.SetUtcNow(ShiftStart.AddMinutes(45));
        await output.WriteLineAsync($"5. {time.GetUtcNow():HH:mm}: the lab has configured ESR-100KHZ in the LIMS; {Plants.Operator} replays the dead letter.");
        lims.AddTestMethod("ESR-100KHZ");
        var replay = await run.BoundedAsync(ct => orchestrator.ActAsync(new OperatorRequest
        {
            DeadLetterId = deadLetter.Id,
            Action = OperatorActionKind.Replay,
            Reason = "ESR-100KHZ configured in the LIMS by the lab (change LC-311)",
        }, TestIdentity.For(Plants.Operator, time), ct), cancellationToken);
        await output.WriteLineAsync($"    {(replay.Succeeded ? "done" : "REFUSED")}: {replay.Message}");
        await run.SettleAsync(cancellationToken);
        await output.WriteLineAsync($"    audit trail of {RefusedLot}:");
        foreach (var record in await orchestrator.GetAuditTrailAsync(RefusedLot.Value, cancellationToken))
        {
            await output.WriteLineAsync($"      {record.RecordedAt:HH:mm:ss.fff}  {record.Actor,-19} {record.Action,-16} {record.Reason}");
        }

        var report = await run.CheckAsync(journalPath, meters, cancellationToken);
        await run.BoundedAsync(async ct =>
        {
            await orchestrator.StopAsync(ct);
            return true;
        }, cancellationToken);
        return report;
    }

    private static async Task<SampleReport> RefusedAsync(OptionsValidationException refused, TextWriter output)
    {
        await output.WriteLineAsync($"Composed without the LIMS connector ({WithoutLims}). The orchestrator refuses to start:");
        foreach (var failure in refused.Failures)
        {
            foreach (var line in failure.Split('\n'))
            {
                await output.WriteLineAsync("  " + line.TrimEnd('\r'));
            }
        }

        await output.WriteLineAsync("A missing connector is found before the first event, not when the first failed lot dead-letters: nothing was published.");
        return new SampleReport
        {
            Sample = "custom-connector",
            EventsPublished = 0,
            EventsAccepted = 0,
            EventsProcessed = 0,
            Effects = 0,
            EffectKeysUnique = true,
            AuditValid = true,
            OpenDeadLetters = 0,
            FailedChecks = [$"the orchestrator did not start: {string.Join(" ", refused.Failures)}"],
        };
    }

    private static EventEnvelope Failed(LotId lot, SiteId site, string characteristic, decimal measured, decimal lower, decimal upper, string unit, string description) => new()
    {
        Id = "insp-" + lot.Value,
        Source = "qms://" + site.Value,
        Type = EventTypes.InspectionFailed,
        Site = site,
        Data = new InspectionFailed
        {
            InspectionLot = new InspectionLotId("IL-" + lot.Value),
            Lot = lot,
            Material = Plants.Capacitor,
            Site = site,
            Supplier = Plants.Acme,
            Severity = DefectSeverity.Major,
            Results = [new CharacteristicResult { Characteristic = characteristic, MeasuredValue = measured, LowerLimit = lower, UpperLimit = upper, Unit = unit, Valuation = Valuation.Rejected, Severity = DefectSeverity.Major }],
            DefectDescription = description,
        },
    };

    /// <summary>One run: publishes, lets the simulated clock reach every durable retry, prints what the LIMS saw, checks the end.</summary>
    private sealed class Session
    {
        private readonly Orchestrator _orchestrator;
        private readonly FakeTimeProvider _time;
        private readonly LimsSimulator _lims;
        private readonly NotificationSimulator _notifications;
        private readonly TextWriter _output;
        private readonly List<(EventKey Event, string Partition)> _published = [];
        private int _callsShown;
        private int _notificationsShown;

        public Session(Orchestrator orchestrator, FakeTimeProvider time, LimsSimulator lims, NotificationSimulator notifications, TextWriter output)
        {
            _orchestrator = orchestrator;
            _time = time;
            _lims = lims;
            _notifications = notifications;
            _output = output;
        }

        public async Task PublishAsync(EventEnvelope envelope, CancellationToken cancellationToken)
        {
            var result = await _orchestrator.PublishAsync(envelope, cancellationToken);
            if (result.Status != PublishStatus.Accepted)
            {
                throw new InvalidOperationException($"Event {envelope.Id} was not accepted: {result}.");
            }

            _published.Add((new EventKey(envelope.Source, envelope.Id), envelope.EffectivePartitionKey));
            await SettleAsync(cancellationToken);
        }

        /// <summary>Waits until the orchestrator is idle, then moves the clock to each durable retry in turn until none is left.</summary>
        public async Task SettleAsync(CancellationToken cancellationToken)
        {
            await WaitForIdleAsync(cancellationToken);
            await WriteNewCallsAsync();
            for (var step = 0; await _orchestrator.Store.ReadNextTimerDueAsync(cancellationToken) is { } due; step++)
            {
                if (step == 20)
                {
                    throw new InvalidOperationException($"Durable timers kept falling due (next at {due:O}).");
                }

                await _output.WriteLineAsync($"    … durable retry due at {due:HH:mm:ss.fff}: the clock moves on to it");
                if (due > _time.GetUtcNow())
                {
                    _time.SetUtcNow(due);
                }

                await WaitForIdleAsync(cancellationToken);
                await WriteNewCallsAsync();
            }

            foreach (var sent in _notifications.Sent.Skip(_notificationsShown))
            {
                await _output.WriteLineAsync($"    {sent.SentAt:HH:mm:ss.fff}  notified {string.Join(", ", sent.Request.Roles)} at {sent.Request.Site}: {sent.Request.Subject}");
                _notificationsShown++;
            }
        }

        public async Task<T> BoundedAsync<T>(Func<CancellationToken, Task<T>> wait, CancellationToken cancellationToken)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(WaitLimit);
            try
            {
                return await wait(limit.Token);
            }
            catch (OperationCanceledException ex) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The orchestrator did not finish within {WaitLimit.TotalSeconds} s: {_orchestrator.Backlog} work item(s) queued or running, clock at {_time.GetUtcNow():O}.", ex);
            }
        }

        /// <summary>Counts the LIMS's journal against the outbox and builds the report.</summary>
        public async Task<SampleReport> CheckAsync(string journalPath, OrchestratorMeters meters, CancellationToken cancellationToken)
        {
            var journal = LimsJournal.Read(journalPath);
            await _output.WriteLineAsync();
            await _output.WriteLineAsync($"The LIMS journal ({Path.GetFileName(journalPath)}), read back from the file: {journal.Count} registration(s).");
            foreach (var entry in journal)
            {
                await _output.WriteLineAsync($"  {entry.RegisteredAt:HH:mm:ss.fff}  {entry.SampleId}  {entry.Lot}  {entry.TestMethod,-13} request {entry.RequestId}");
            }

            var completed = new List<string>();
            var unfinished = new List<string>();
            foreach (var (key, _) in _published)
            {
                foreach (var command in await _orchestrator.Store.ReadCommandsCausedByAsync(key, cancellationToken))
                {
                    if (command.Kind == LimsOperations.RecordRetestSample && command.Status == OutboxStatus.Completed)
                    {
                        completed.Add(command.IdempotencyKey);
                    }
                    else if (command.Status is OutboxStatus.Pending or OutboxStatus.DeadLettered)
                    {
                        unfinished.Add($"{command.Kind} of {command.PartitionKey} is {command.Status}");
                    }
                }
            }

            var journalKeys = journal.Select(e => e.RequestId).ToArray();
            var distinctKeys = journalKeys.Distinct(StringComparer.Ordinal).Count();
            var sameKeys = journalKeys.Order(StringComparer.Ordinal).SequenceEqual(completed.Order(StringComparer.Ordinal), StringComparer.Ordinal);
            var failed = new List<string>();
            if (journal.Count != completed.Count)
            {
                failed.Add($"the LIMS journal holds {journal.Count} registration(s) but the outbox completed {completed.Count} {LimsOperations.RecordRetestSample} command(s)");
            }
            else if (!sameKeys)
            {
                failed.Add("the LIMS journal's request ids are not the idempotency keys of the completed commands");
            }

            failed.AddRange(unfinished.Select(u => "not finished: " + u));

            var all = await _orchestrator.GetDeadLettersAsync(new DeadLetterQuery { OnlyOpen = false }, cancellationToken);
            var open = all.Where(d => d.IsOpen).ToArray();
            var audit = await _orchestrator.Audit.VerifyAllAsync(cancellationToken);
            var attempts = meters.Commands.Where(c => c.Key.Kind == LimsOperations.RecordRetestSample).ToDictionary(c => c.Key.Outcome, c => c.Value, StringComparer.Ordinal);
            long Attempts(AdapterResultStatus status) => attempts.GetValueOrDefault(OrchestrationTelemetry.Outcome(status));
            var existing = 0;
            foreach (var (_, partition) in _published)
            {
                existing += (await _orchestrator.GetAuditTrailAsync(partition, cancellationToken)).Count(r => r.Action == "retest-sample-exists");
            }

            var report = new SampleReport
            {
                Sample = "custom-connector",
                EventsPublished = _published.Count,
                EventsAccepted = _published.Count,
                EventsFromOrchestrator = meters.Total("mo.events.accepted") - _published.Count,
                EventsProcessed = meters.Total("mo.events.processed"),
                Effects = journal.Count,
                EffectKeysUnique = distinctKeys == journal.Count,
                AuditValid = audit.IsValid,
                OpenDeadLetters = open.Length,
                OpenDeadLetterDetails = [.. open.Select(d => $"{d.PartitionKey} {d.Command?.Kind ?? "event"}: {d.ReasonCode.Code} {d.Message}")],
                FailedChecks = failed,
                Facts = new Dictionary<string, decimal>(StringComparer.Ordinal)
                {
                    ["lims.attempts"] = attempts.Values.Sum(),
                    ["lims.succeeded"] = Attempts(AdapterResultStatus.Succeeded),
                    ["lims.already-applied"] = Attempts(AdapterResultStatus.AlreadyApplied),
                    ["lims.transient-failures"] = Attempts(AdapterResultStatus.TransientFailure),
                    ["lims.permanent-failures"] = Attempts(AdapterResultStatus.PermanentFailure),
                    ["lims.commands-completed"] = completed.Count,
                    ["lims.journal-effects"] = journal.Count,
                    ["lims.journal-keys"] = distinctKeys,
                    ["lims.queries"] = _lims.Calls.Count(c => c.Request.StartsWith("find ", StringComparison.Ordinal)),
                    ["retest.already-in-lims"] = existing,
                    ["dead-letters.opened"] = all.Count,
                    ["dead-letters.replayed"] = all.Count(d => d.Resolution?.Action == "replay"),
                    ["notifications"] = _notifications.Sent.Count,
                },
            };

            await _output.WriteLineAsync();
            await _output.WriteLineAsync($"Effects in the LIMS journal: {journal.Count}; {LimsOperations.RecordRetestSample} commands completed in the outbox: {completed.Count}{(sameKeys ? " — the same idempotency keys" : " — NOT the same keys")}.");
            await _output.WriteLineAsync($"Each key once: {distinctKeys} distinct key(s) in {journal.Count} journal line(s){(distinctKeys == journal.Count ? string.Empty : " — a key was APPLIED TWICE")}.");
            await _output.WriteLineAsync($"Attempts at the LIMS: {attempts.Values.Sum()} = {Attempts(AdapterResultStatus.Succeeded)} Succeeded + {Attempts(AdapterResultStatus.AlreadyApplied)} AlreadyApplied + {Attempts(AdapterResultStatus.TransientFailure)} TransientFailure (retried durably) + {Attempts(AdapterResultStatus.PermanentFailure)} PermanentFailure (dead-lettered).");
            await _output.WriteLineAsync($"Dead letters: {all.Count} opened, {report.Facts["dead-letters.replayed"]} replayed, {open.Length} open. Notifications sent: {_notifications.Sent.Count}.");
            await _output.WriteLineAsync("Events: " + SampleHost.DescribeEvents(report, "published (failed inspections)"));
            await _output.WriteLineAsync($"Audit chain: {(report.AuditValid ? "verified" : "BROKEN")}.");
            foreach (var deadLetter in report.OpenDeadLetterDetails)
            {
                await _output.WriteLineAsync("  open dead letter: " + deadLetter);
            }

            foreach (var check in failed)
            {
                await _output.WriteLineAsync("  CHECK FAILED: " + check);
            }

            return report;
        }

        private Task WaitForIdleAsync(CancellationToken cancellationToken) => BoundedAsync(async ct =>
        {
            await _orchestrator.WaitForIdleAsync(ct);
            return true;
        }, cancellationToken);

        private async Task WriteNewCallsAsync()
        {
            var calls = _lims.Calls;
            foreach (var call in calls.Skip(_callsShown))
            {
                await _output.WriteLineAsync($"    {call.At:HH:mm:ss.fff}  LIMS {call.Request} → {call.Answer}");
            }

            _callsShown = calls.Count;
        }
    }
}
