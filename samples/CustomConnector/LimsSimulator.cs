using System.Globalization;
using System.Net;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Samples.CustomConnector;

/// <summary>
/// The LIMS's own API, as the connector sees it. In a plant it is the LIMS vendor's HTTP API behind a client; here
/// <see cref="LimsSimulator"/> answers it in-process.
/// </summary>
public interface ILimsApi
{
    /// <summary>Registers a retest sample. The LIMS applies a request id once: a repeat answers 200 with the sample it created then.</summary>
    /// <param name="registration">What to sample, under which request id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>201 Created, 200 OK (seen before), 503 Service Unavailable or 422 Unprocessable Entity.</returns>
    /// <exception cref="TimeoutException">No answer came: the LIMS may or may not have registered the sample.</exception>
    ValueTask<LimsResponse> RegisterSampleAsync(SampleRegistration registration, CancellationToken cancellationToken);

    /// <summary>The retest sample registered for a lot, if any.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The sample, or <see langword="null"/>.</returns>
    ValueTask<RetestSample?> FindSampleAsync(LotId lot, CancellationToken cancellationToken);
}

/// <summary>A request to register a retest sample.</summary>
public sealed record SampleRegistration
{
    /// <summary>The caller's request id: the LIMS registers one sample per request id, however often it is sent.</summary>
    public required string RequestId { get; init; }

    /// <summary>The lot.</summary>
    public required string Lot { get; init; }

    /// <summary>The material.</summary>
    public required string Material { get; init; }

    /// <summary>The inspection lot that failed.</summary>
    public required string InspectionLot { get; init; }

    /// <summary>The test method, which the LIMS must have configured.</summary>
    public required string TestMethod { get; init; }

    /// <summary>A note for the lab.</summary>
    public string? Note { get; init; }
}

/// <summary>The LIMS's answer to a registration.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="SampleId">The sample registered (201) or registered before under the same request id (200).</param>
/// <param name="Error">What went wrong, in the LIMS's words.</param>
/// <param name="RetryAfter">How long the LIMS asks the caller to wait (with 503).</param>
public sealed record LimsResponse(HttpStatusCode Status, string? SampleId = null, string? Error = null, TimeSpan? RetryAfter = null);

/// <summary>One call the LIMS received, as its access log would show it.</summary>
/// <param name="At">When, by the LIMS's clock.</param>
/// <param name="Request">What was asked.</param>
/// <param name="Answer">What the LIMS answered.</param>
public sealed record LimsCall(DateTimeOffset At, string Request, string Answer);

/// <summary>
/// The laboratory's LIMS, simulated in-process: retest samples, the test methods it has configured, and its journal —
/// a JSON-lines file outside the orchestrator holding one line per registration it applied, under the caller's request
/// id (<see cref="LimsJournal"/>). It registers a request id at most once, also across a restart on the same journal.
/// Scripted trouble: registration unavailable for the next calls (503), answers lost after the registration was applied
/// (a timeout), and test methods not configured (422) until the lab adds them. Thread-safe.
/// </summary>
public sealed class LimsSimulator : ILimsApi, IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly LimsJournal _journal;
    private readonly HashSet<string> _testMethods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RetestSample> _byRequest = new(StringComparer.Ordinal);
    private readonly Dictionary<LotId, RetestSample> _byLot = [];
    private readonly List<LimsCall> _calls = [];
    private int _lastSample = 1000;
    private int _unavailable;
    private int _answersToLose;

    /// <summary>Opens the LIMS on its journal (created if need be; registrations already in it are known again).</summary>
    /// <param name="journalPath">The journal file.</param>
    /// <param name="time">The LIMS's clock.</param>
    /// <param name="testMethods">The test methods the lab has configured.</param>
    public LimsSimulator(string journalPath, TimeProvider time, IEnumerable<string> testMethods)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(testMethods);
        _time = time;
        _testMethods.UnionWith(testMethods);
        foreach (var entry in LimsJournal.Read(journalPath))
        {
            Remember(entry.RequestId, new RetestSample { SampleId = entry.SampleId, Lot = new LotId(entry.Lot), TestMethod = entry.TestMethod, RegisteredBy = entry.RequestId });
            _lastSample = Math.Max(_lastSample, int.Parse(entry.SampleId.AsSpan(2), CultureInfo.InvariantCulture));
        }

        _journal = LimsJournal.Open(journalPath);
    }

    /// <summary>Every call so far, in order.</summary>
    public IReadOnlyList<LimsCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Sample registration answers 503 (with Retry-After) to its next <paramref name="calls"/> calls, applying nothing.</summary>
    /// <param name="calls">How many calls.</param>
    public void MakeRegistrationUnavailable(int calls)
    {
        lock (_gate)
        {
            _unavailable += calls;
        }
    }

    /// <summary>The next <paramref name="calls"/> registrations are applied, but their answer never reaches the caller (a timeout).</summary>
    /// <param name="calls">How many calls.</param>
    public void LoseAnswers(int calls)
    {
        lock (_gate)
        {
            _answersToLose += calls;
        }
    }

    /// <summary>The lab configures a test method.</summary>
    /// <param name="testMethod">The method, such as <c>ESR-100KHZ</c>.</param>
    public void AddTestMethod(string testMethod)
    {
        lock (_gate)
        {
            _testMethods.Add(testMethod);
        }
    }

    /// <summary>A lab technician registers a retest sample at the LIMS's own screen (no request id, not in the journal).</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="testMethod">The test method.</param>
    /// <param name="technician">Who.</param>
    /// <returns>The sample.</returns>
    public RetestSample DrawSampleByHand(LotId lot, string testMethod, string technician)
    {
        lock (_gate)
        {
            var sample = new RetestSample { SampleId = NextSampleId(), Lot = lot, TestMethod = testMethod, RegisteredBy = technician };
            _byLot[lot] = sample;
            return sample;
        }
    }

    /// <inheritdoc />
    public ValueTask<LimsResponse> RegisterSampleAsync(SampleRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var request = $"register {registration.Lot} {registration.TestMethod} (request {Abbreviate(registration.RequestId)})";
            if (_unavailable > 0)
            {
                _unavailable--;
                return Answer(request, new LimsResponse(HttpStatusCode.ServiceUnavailable, Error: "sample registration is busy (database maintenance)", RetryAfter: TimeSpan.FromSeconds(5)));
            }

            if (_byRequest.TryGetValue(registration.RequestId, out var earlier))
            {
                return Answer(request, new LimsResponse(HttpStatusCode.OK, earlier.SampleId));
            }

            if (!_testMethods.Contains(registration.TestMethod))
            {
                return Answer(request, new LimsResponse(HttpStatusCode.UnprocessableEntity, Error: $"test method '{registration.TestMethod}' is not configured in this LIMS"));
            }

            var sample = new RetestSample { SampleId = NextSampleId(), Lot = new LotId(registration.Lot), TestMethod = registration.TestMethod, RegisteredBy = registration.RequestId };
            _journal.Append(new LimsJournalEntry
            {
                RequestId = registration.RequestId,
                SampleId = sample.SampleId,
                Lot = registration.Lot,
                Material = registration.Material,
                InspectionLot = registration.InspectionLot,
                TestMethod = registration.TestMethod,
                RegisteredAt = _time.GetUtcNow(),
            });
            Remember(registration.RequestId, sample);
            if (_answersToLose > 0)
            {
                _answersToLose--;
                _calls.Add(new LimsCall(_time.GetUtcNow(), request, $"{Describe(HttpStatusCode.Created)} {sample.SampleId}, but the answer never reaches the caller"));
                throw new TimeoutException("The LIMS did not answer within 30 s.");
            }

            return Answer(request, new LimsResponse(HttpStatusCode.Created, sample.SampleId));
        }
    }

    /// <inheritdoc />
    public ValueTask<RetestSample?> FindSampleAsync(LotId lot, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var sample = _byLot.GetValueOrDefault(lot);
            _calls.Add(new LimsCall(_time.GetUtcNow(), $"find retest sample of {lot}", sample is null ? "404 Not Found" : $"200 OK {sample.SampleId} ({sample.TestMethod}, registered by {sample.RegisteredBy})"));
            return ValueTask.FromResult(sample);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _journal.Dispose();

    private ValueTask<LimsResponse> Answer(string request, LimsResponse response)
    {
        var answer = Describe(response.Status);
        if (response.SampleId is { } sample)
        {
            answer += " " + sample;
        }

        if (response.Error is { } error)
        {
            answer += ": " + error;
        }

        if (response.RetryAfter is { } wait)
        {
            answer += string.Create(CultureInfo.InvariantCulture, $" (Retry-After: {wait.TotalSeconds:0} s)");
        }

        _calls.Add(new LimsCall(_time.GetUtcNow(), request, answer));
        return ValueTask.FromResult(response);
    }

    // A request id as the access log shows it: its first 12 characters.
    private static string Abbreviate(string requestId) => requestId.Length <= 12 ? requestId : requestId[..12] + "…";

    private static string Describe(HttpStatusCode status) => status switch
    {
        HttpStatusCode.OK => "200 OK",
        HttpStatusCode.Created => "201 Created",
        HttpStatusCode.UnprocessableEntity => "422 Unprocessable Content",
        HttpStatusCode.ServiceUnavailable => "503 Service Unavailable",
        _ => ((int)status).ToString(CultureInfo.InvariantCulture),
    };

    private void Remember(string requestId, RetestSample sample)
    {
        _byRequest[requestId] = sample;
        _byLot[sample.Lot] = sample;
    }

    private string NextSampleId() => string.Create(CultureInfo.InvariantCulture, $"S-{++_lastSample}");
}
