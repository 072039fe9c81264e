using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// The settings of one HTTP connector, that is of one target system (one ERP per region or plant can have its own),
/// registered as named options under the connector's name and validated at start-up by
/// <see cref="HttpConnectorOptionsValidator"/>.
/// </summary>
public sealed class HttpConnectorOptions
{
    /// <summary>The default header carrying the command's idempotency key.</summary>
    public const string DefaultIdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The default header carrying the command's correlation id.</summary>
    public const string DefaultCorrelationIdHeader = "X-Correlation-Id";

    /// <summary>The default header carrying the command's causation id, when it has one.</summary>
    public const string DefaultCausationIdHeader = "X-Causation-Id";

    /// <summary>The default header carrying the credential from the <see cref="ICredentialProvider"/>.</summary>
    public const string DefaultCredentialHeader = "Authorization";

    /// <summary>The default JSON property of a success response holding the external reference.</summary>
    public const string DefaultExternalReferenceJsonProperty = "documentNumber";

    /// <summary>
    /// The absolute <c>http</c> or <c>https</c> address of the target system's API, such as
    /// <c>https://erp-eu.example.com/api/v1/</c>. Required. Endpoint paths are relative to it.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// The endpoint of each command or query kind. The ERP and WMS registrations seed it with
    /// <see cref="HttpEndpoints.Erp"/> or <see cref="HttpEndpoints.Wms"/>; override or add entries to match the target API.
    /// A command whose kind has no endpoint fails permanently with <c>adapter.not-configured</c> without a call, and the
    /// connector does not support it (<see cref="HttpConnector.Supports(string)"/>), which the orchestrator's start-up
    /// check reads. In a configuration section each entry is one string, <c>"kind": "METHOD path-template"</c>
    /// (<see cref="HttpEndpoint.Parse(string)"/>); an empty one removes the default of its kind.
    /// </summary>
    public IDictionary<string, HttpEndpoint> Endpoints { get; } = new Dictionary<string, HttpEndpoint>(StringComparer.Ordinal);

    /// <summary>
    /// The status codes by which the target API says "this idempotency key was applied before"; they map to
    /// <see cref="AdapterResultStatus.AlreadyApplied"/>. Default: 409 (Conflict). Allowed: 200–499 except 404, 408 and 429.
    /// </summary>
    public ISet<int> AlreadyAppliedStatusCodes { get; } = new HashSet<int> { 409 };

    /// <summary>
    /// The status codes by which the target API says "what this command assumed is no longer so" (the stock it moves is
    /// gone, the document version changed); they map to <see cref="AdapterResultStatus.Stale"/>, on which the engine reads
    /// the lot again and decides again instead of dead-lettering. Default: 412 (Precondition Failed). Allowed: 400–499
    /// except 404, 408, 429 and the already-applied codes.
    /// </summary>
    public ISet<int> StaleStatusCodes { get; } = new HashSet<int> { 412 };

    /// <summary>
    /// The response header holding the external reference (such as a material document number) of a success, checked
    /// before <see cref="ExternalReferenceJsonProperty"/>; <see langword="null"/> (the default) to read no header.
    /// </summary>
    public string? ExternalReferenceHeader { get; set; }

    /// <summary>
    /// The top-level property of a JSON success response holding the external reference; default
    /// <c>documentNumber</c>; <see langword="null"/> to read none.
    /// </summary>
    public string? ExternalReferenceJsonProperty { get; set; } = DefaultExternalReferenceJsonProperty;

    /// <summary>The header carrying the idempotency key; default <c>Idempotency-Key</c>.</summary>
    public string IdempotencyKeyHeader { get; set; } = DefaultIdempotencyKeyHeader;

    /// <summary>The header carrying the correlation id; default <c>X-Correlation-Id</c>.</summary>
    public string CorrelationIdHeader { get; set; } = DefaultCorrelationIdHeader;

    /// <summary>The header carrying the causation id when a command has one; default <c>X-Causation-Id</c>.</summary>
    public string CausationIdHeader { get; set; } = DefaultCausationIdHeader;

    /// <summary>The header carrying the credential (such as <c>Bearer …</c>); default <c>Authorization</c>.</summary>
    public string CredentialHeader { get; set; } = DefaultCredentialHeader;

    /// <summary>
    /// Maps a command to the request body; <see langword="null"/> (the default) sends the command as JSON written by
    /// <see cref="Serialization.AdapterJson"/>. Called once per command (the body is reused by in-call retries).
    /// </summary>
    public Func<AdapterCommand, HttpContent>? RequestContentFactory { get; set; }

    /// <summary>How many characters of an error response body a failure message quotes; default 256, 0 for none.</summary>
    public int MaxErrorDetailLength { get; set; } = 256;

    /// <summary>The default of <see cref="MaxResponseBodyBytes"/>: 16 MiB.</summary>
    public const int DefaultMaxResponseBodyBytes = 16 * 1024 * 1024;

    /// <summary>The default of <see cref="MaxErrorBodyBytes"/>: 64 KiB.</summary>
    public const int DefaultMaxErrorBodyBytes = 64 * 1024;

    /// <summary>
    /// The most bytes of a success body the connector reads: a query answer, or a command's success body holding the
    /// external reference; default 16 MiB, allowed 1 to <see cref="HttpConnectorOptionsValidator.MaxAllowedBodyBytes"/>.
    /// A query answer over it fails permanently; a command's success over it is still a success, without a reference.
    /// An error body is read only as far as its detail needs (<see cref="MaxErrorBodyBytes"/>).
    /// </summary>
    public int MaxResponseBodyBytes { get; set; } = DefaultMaxResponseBodyBytes;

    /// <summary>
    /// The most bytes of an error response body read for the detail a failure message quotes (the rest is not read);
    /// default 64 KiB, allowed 1 to <see cref="HttpConnectorOptionsValidator.MaxAllowedBodyBytes"/>. A body cut at this
    /// limit is quoted from its start, not read as problem details.
    /// </summary>
    public int MaxErrorBodyBytes { get; set; } = DefaultMaxErrorBodyBytes;

    /// <summary>
    /// The in-call resilience of the connector, in the shape of the standard HTTP resilience handler of
    /// Microsoft.Extensions.Http.Resilience, bound from the <c>Resilience</c> section of a connector's configuration:
    /// <see cref="HttpStandardResilienceOptions.RateLimiter"/>, <see cref="HttpStandardResilienceOptions.TotalRequestTimeout"/>,
    /// <see cref="HttpStandardResilienceOptions.Retry"/>, <see cref="HttpStandardResilienceOptions.CircuitBreaker"/> and
    /// <see cref="HttpStandardResilienceOptions.AttemptTimeout"/>, chained in that order, outermost first.
    /// </summary>
    /// <remarks>
    /// It is deliberately short: durable retries over minutes or hours are the engine's outbox, which re-runs a command
    /// whose result is transient. The connector's defaults therefore differ from the standard handler's: 2 retries
    /// (exponential from 200 ms with jitter, each wait at most 1 s), attempt timeout 3 s, total timeout 10 s, a circuit
    /// that opens at 50 % failures over at least 10 calls in 30 s, for 15 s; the rate limiter keeps the standard 1000
    /// concurrent calls. One engine attempt makes at most <c>1 + Retry.MaxRetryAttempts</c> HTTP attempts and lasts at
    /// most <c>TotalRequestTimeout.Timeout</c>.
    /// <para>
    /// The connector keeps three things its own, whatever is set here: which outcomes the retry and the circuit breaker
    /// handle (408, 429, 5xx, timeouts and network errors); a <c>Retry-After</c> longer than <c>Retry.MaxDelay</c>, which
    /// is not waited for in the call but ends it as transient with <see cref="AdapterResult.RetryAfter"/>, so the engine's
    /// outbox waits; and the circuit's state, reported to <see cref="HttpConnectorCircuits"/> under the connector's name
    /// (the breaker's own callbacks still run). <c>Retry.MaxRetryAttempts = 0</c> means no in-call retry.
    /// <see cref="HttpConnectorOptionsValidator"/> bounds it at start-up.
    /// </para>
    /// </remarks>
    public HttpStandardResilienceOptions Resilience { get; } = CreateResilience();

    /// <summary>What configuration binding found wrong, reported by the validator at start-up.</summary>
    internal List<string> ConfigurationProblems { get; } = [];

    private static HttpStandardResilienceOptions CreateResilience()
    {
        var resilience = new HttpStandardResilienceOptions();
        resilience.Retry.MaxRetryAttempts = 2;
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
        resilience.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(3);
        resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(10);
        resilience.CircuitBreaker.FailureRatio = 0.5;
        resilience.CircuitBreaker.MinimumThroughput = 10;
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
        resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(15);
        return resilience;
    }
}
