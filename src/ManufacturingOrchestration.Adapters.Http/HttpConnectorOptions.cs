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
    /// A command whose kind has no endpoint fails permanently with <c>adapter.not-configured</c> without a call.
    /// </summary>
    public IDictionary<string, HttpEndpoint> Endpoints { get; } = new Dictionary<string, HttpEndpoint>(StringComparer.Ordinal);

    /// <summary>
    /// The status codes by which the target API says "this idempotency key was applied before"; they map to
    /// <see cref="AdapterResultStatus.AlreadyApplied"/>. Default: 409 (Conflict). Allowed: 200–499 except 404, 408 and 429.
    /// </summary>
    public ISet<int> AlreadyAppliedStatusCodes { get; } = new HashSet<int> { 409 };

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

    /// <summary>The in-call resilience budget: retries, timeouts and circuit breaker.</summary>
    public HttpConnectorResilienceOptions Resilience { get; } = new();
}

/// <summary>
/// The in-call resilience of one connector (Microsoft.Extensions.Http.Resilience: total timeout, retry with jitter,
/// circuit breaker, attempt timeout, outermost first). It is deliberately short: durable retries over minutes or
/// hours are the engine's outbox, which re-runs a command whose result is transient. One engine attempt therefore
/// makes at most <c>1 + <see cref="MaxRetryAttempts"/></c> HTTP attempts and lasts at most <see cref="TotalTimeout"/>.
/// </summary>
public sealed class HttpConnectorResilienceOptions
{
    /// <summary>The most in-call retries a connector may be configured with.</summary>
    public const int MaxAllowedRetryAttempts = 5;

    /// <summary>The longest total timeout a connector may be configured with: longer waits belong to the engine's outbox.</summary>
    public static readonly TimeSpan MaxAllowedTotalTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The shortest timeout the pipeline accepts.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);

    /// <summary>The shortest circuit sampling or break duration the pipeline accepts.</summary>
    public static readonly TimeSpan MinCircuitDuration = TimeSpan.FromMilliseconds(500);

    /// <summary>In-call retries after the first attempt, 0–5; default 2 (three HTTP attempts at most).</summary>
    public int MaxRetryAttempts { get; set; } = 2;

    /// <summary>The base of the exponential backoff between in-call retries; default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The longest wait between in-call retries; default 1 s, so the retry waits of one call stay within
    /// <c>MaxRetryAttempts × MaxRetryDelay</c> = 2 s. A <c>Retry-After</c> longer than this is not waited for in the
    /// call: the result is transient and carries it in <see cref="AdapterResult.RetryAfter"/> for the engine.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether the backoff is jittered, so many callers do not retry in step; default <see langword="true"/>.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>The timeout of one HTTP attempt; default 3 s. Must be shorter than <see cref="TotalTimeout"/>.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The timeout of the whole call, retries and waits included; default 10 s, at most 2 minutes.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The failure ratio within <see cref="CircuitSamplingDuration"/> that opens the circuit, (0, 1]; default 0.5.</summary>
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>The fewest attempts within the sampling duration before the circuit may open, at least 2; default 10.</summary>
    public int CircuitMinimumThroughput { get; set; } = 10;

    /// <summary>The window over which failures are counted, at least 500 ms and twice <see cref="AttemptTimeout"/>; default 30 s.</summary>
    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before one trial call, at least 500 ms; default 15 s.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
