using System.Diagnostics;
using System.Globalization;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Validation;
using ManufacturingOrchestration.Storage.PostgreSql;
using ManufacturingOrchestration.Storage.PostgreSql.Tests;
using ManufacturingOrchestration.Storage.Sqlite;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Intake.FuzzTests;

/// <summary>
/// One fuzz run over a started orchestrator on the in-memory, the SQLite or the PostgreSQL store (a schema of its own on
/// the test process's private cluster): runs each input under a watchdog,
/// checks that every outcome is structured, publishes a valid event after each input, and at the end checks that every
/// accepted event was processed and is still known under exactly its key.
/// </summary>
internal sealed class FuzzRun : IAsyncDisposable
{
    /// <summary>How long one input may take before it counts as a hang.</summary>
    public static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(5);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _folder;
    private readonly IAsyncDisposable? _durable;
    private readonly List<EventEnvelope> _accepted = [];
    private int _validSerial;

    private FuzzRun(string storeKind, string folder, IAsyncDisposable? durable, OrchestrationTestHarness harness)
    {
        StoreKind = storeKind;
        _folder = folder;
        _durable = durable;
        Harness = harness;
        Intake = new EventIntake(harness.Orchestrator);
    }

    public string StoreKind { get; }

    public OrchestrationTestHarness Harness { get; }

    public Orchestrator Orchestrator => Harness.Orchestrator;

    public IOrchestrationStore Store => Harness.Store;

    public EventIntake Intake { get; }

    /// <summary>A folder of the run's own, deleted at the end.</summary>
    public string Folder => _folder;

    public int Inputs { get; set; }

    public int Rejections { get; private set; }

    public int Accepted => _accepted.Count;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts a run on a store kind: <c>memory</c>, <c>sqlite</c> or <c>postgresql</c> (which needs the cluster).</summary>
    public static async Task<FuzzRun> StartAsync(string storeKind, PostgreSqlCluster? cluster = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "mo-fuzz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        IOrchestrationStore? store = storeKind switch
        {
            "sqlite" => SqliteOrchestrationStore.Open(Path.Combine(folder, "fuzz.db")),
            "postgresql" => await PostgreSqlOrchestrationStore.OpenAsync(cluster!.NewOptions(PostgreSqlCluster.NewSchema("fuzz")), cancellationToken: Ct),
            _ => null,
        };
        var harness = new OrchestrationTestHarness(new OrchestrationTestHarnessOptions { Store = store });
        await harness.StartAsync(Ct);
        return new FuzzRun(storeKind, folder, (IAsyncDisposable?)store, harness);
    }

    /// <summary>Runs one input on the thread pool under the watchdog: a hang or an exception fails the run, naming the input.</summary>
    public async Task<T> GuardAsync<T>(Func<Task<T>> input, Func<string> describe)
    {
        var running = Task.Run(input, Ct);
        try
        {
            return await running.WaitAsync(Watchdog, Ct);
        }
        catch (TimeoutException)
        {
            throw new FuzzFailureException($"Hang: input {Inputs} (seed {FuzzSeed.Value}, store {StoreKind}) did not finish within {Watchdog.TotalSeconds} s: {describe()}");
        }
        catch (Exception ex) when (ex is not FuzzFailureException and not OperationCanceledException)
        {
            throw new FuzzFailureException($"Exception: input {Inputs} (seed {FuzzSeed.Value}, store {StoreKind}) threw {ex.GetType().Name}: {ex.Message} — input: {describe()}", ex);
        }
    }

    /// <summary>Checks an outcome: a rejection names at least one problem, each with a path and a catalogued reason code.</summary>
    public void Check(PublishResult result, EventEnvelope? envelope, Func<string> describe)
    {
        switch (result.Status)
        {
            case PublishStatus.Rejected:
                Rejections++;
                if (result.Errors.Count == 0 || result.Errors.Any(e => !IsStructured(e)))
                {
                    throw new FuzzFailureException($"Unstructured rejection of input {Inputs} (seed {FuzzSeed.Value}): {string.Join("; ", result.Errors)} — input: {describe()}");
                }

                break;
            case PublishStatus.Accepted when envelope is not null:
                _accepted.Add(envelope);
                break;
            case PublishStatus.Accepted or PublishStatus.Duplicate:
                break;
            default:
                throw new FuzzFailureException($"Unknown status {result.Status} for input {Inputs}.");
        }
    }

    public void CountRejection(IReadOnlyList<ValidationError> errors, Func<string> describe)
    {
        Check(PublishResult.Rejected(null, errors), null, describe);
    }

    public void Remember(EventEnvelope accepted) => _accepted.Add(accepted);

    /// <summary>A valid event right after a bad input: it must be accepted (and, at the end, processed).</summary>
    public async Task PublishValidAsync(string idBody)
    {
        var serial = _validSerial++;
        var envelope = FuzzGen.ValidEvent(idBody + "-" + serial.ToString(CultureInfo.InvariantCulture), "S-V" + serial.ToString(CultureInfo.InvariantCulture));
        var result = await GuardAsync(() => Orchestrator.PublishAsync(envelope, Ct).AsTask(), () => "valid event " + envelope.Id);
        if (result.Status != PublishStatus.Accepted)
        {
            throw new FuzzFailureException($"The valid event '{FreeText.Escape(envelope.Id)}' after input {Inputs} (seed {FuzzSeed.Value}) was {result.Status}: {string.Join("; ", result.Errors)}");
        }

        _accepted.Add(envelope);

        // Its decomposed (or composed) twin is another identifier: it must not be taken for a duplicate.
        var twin = envelope.Id.Contains('é', StringComparison.Ordinal) ? envelope.Id.Replace("é", "e\u0301", StringComparison.Ordinal)
            : envelope.Id.Contains("e\u0301", StringComparison.Ordinal) ? envelope.Id.Replace("e\u0301", "é", StringComparison.Ordinal)
            : null;
        if (twin is not null)
        {
            var twinEvent = envelope with { Id = twin };
            var twinResult = await GuardAsync(() => Orchestrator.PublishAsync(twinEvent, Ct).AsTask(), () => "twin " + twin);
            if (twinResult.Status != PublishStatus.Accepted)
            {
                throw new FuzzFailureException($"The twin '{FreeText.Escape(twin)}' of '{FreeText.Escape(envelope.Id)}' was {twinResult.Status}: identifiers are not normalized, so it is another event.");
            }

            _accepted.Add(twinEvent);
        }
    }

    /// <summary>
    /// Nothing accepted is lost: after the work drains, no accepted event is still pending, each is known under exactly
    /// its (source, id) — publishing it again is a duplicate — and every recorded rejection is well-formed text.
    /// </summary>
    public async Task VerifyNothingLostAsync()
    {
        await Orchestrator.WaitForIdleAsync(Ct).WaitAsync(TimeSpan.FromSeconds(90), Ct);
        foreach (var envelope in _accepted)
        {
            var pending = await Store.ReadPendingEventsAsync(envelope.EffectivePartitionKey, 0, 1000, Ct);
            if (pending.Any(p => p.Key == new EventKey(envelope.Source, envelope.Id)))
            {
                throw new FuzzFailureException($"Accepted event '{FreeText.Escape(envelope.Id)}' was never processed.");
            }
        }

        foreach (var chunk in _accepted.Chunk(256))
        {
            var again = await Orchestrator.PublishBatchAsync(chunk, Ct);
            for (var i = 0; i < chunk.Length; i++)
            {
                if (again[i].Status != PublishStatus.Duplicate)
                {
                    throw new FuzzFailureException($"Accepted event '{FreeText.Escape(chunk[i].Id)}' (source '{FreeText.Escape(chunk[i].Source)}') is not known under its key any more: publishing it again gave {again[i].Status}.");
                }
            }
        }

        var recorded = await Store.ReadRejectionsAsync(null, null, 1_000_000, Ct);
        foreach (var rejection in recorded)
        {
            string?[] texts = [rejection.Channel, rejection.EventId, rejection.Source, rejection.Type, rejection.Excerpt, .. rejection.Reasons.SelectMany(r => new[] { r.Path, r.Code.Code, r.Message })];
            if (texts.Any(t => t is not null && !FreeText.IsWellFormed(t)) || rejection.Reasons.Count == 0 || rejection.Reasons.Any(r => !ReasonCodes.TryFind(r.Code.Code, out _)))
            {
                throw new FuzzFailureException($"Recorded rejection {rejection.Id} is not structured, well-formed text.");
            }
        }

        await Orchestrator.WaitForIdleAsync(Ct).WaitAsync(TimeSpan.FromSeconds(90), Ct);
        (await Harness.VerifyAuditAsync(Ct)).IsValid.Should().BeTrue("the audit chains verify after the run");
    }

    /// <summary>The figures of the run, for the test output and docs/reliability.md.</summary>
    public string Figures(string path) => string.Create(CultureInfo.InvariantCulture,
        $"fuzz {path} store={StoreKind} seed={FuzzSeed.Value} inputs={Inputs} rejections={Rejections} accepted={Accepted} exceptions=0 hangs=0 wall={_clock.Elapsed.TotalSeconds:F1}s");

    public void Print(string path)
    {
        var line = Figures(path);
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Console.WriteLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        if (_durable is not null)
        {
            await _durable.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static bool IsStructured(ValidationError error) =>
        error.Path.StartsWith('$') && ReasonCodes.TryFind(error.ReasonCode.Code, out _) && !string.IsNullOrWhiteSpace(error.Message);
}

/// <summary>A property of intake that did not hold for a generated input.</summary>
internal sealed class FuzzFailureException : Exception
{
    public FuzzFailureException(string message)
        : base(message)
    {
    }

    public FuzzFailureException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
