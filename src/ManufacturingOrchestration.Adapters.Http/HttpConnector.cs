using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ManufacturingOrchestration.Adapters.Serialization;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// The base of a REST connector: sends commands and queries through the connector's named <see cref="HttpClient"/>
/// (whose Microsoft.Extensions.Http.Resilience pipeline makes the short in-call retries) with the idempotency key,
/// correlation id and credential as headers, and maps every outcome to an <see cref="AdapterResult"/>:
/// 2xx success (with the external reference), a configured already-applied status (409) already applied,
/// 408/429/5xx, timeouts, network errors, an open circuit and a call the rate limiter refused transient (with
/// <c>Retry-After</c>), 404, other 4xx and 3xx (redirects are not followed) permanent; a 401 is answered once more with a
/// credential the provider has renewed. See docs/adapters.md, "Writing an HTTP connector".
/// </summary>
public abstract partial class HttpConnector : IOperationSupport
{
    private const string Redacted = "***";
    private static readonly MediaTypeHeaderValue s_json = new("application/json") { CharSet = "utf-8" };

    private readonly IHttpClientFactory _clientFactory;
    private readonly string _clientName;
    private readonly ICredentialProvider _credentials;

    /// <summary>Creates the connector.</summary>
    /// <param name="context">What the connector needs.</param>
    protected HttpConnector(HttpConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Name = context.Name;
        Options = context.Options;
        TimeProvider = context.TimeProvider;
        Logger = context.LoggerFactory.CreateLogger(GetType());
        _clientFactory = context.HttpClientFactory;
        _clientName = HttpConnectorContext.HttpClientName(context.Name);
        _credentials = context.Credentials;
    }

    /// <summary>The connector (target system) name, such as <c>erp-eu</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// Whether an endpoint is configured for the operation: the start-up check and the routing see only those, so a
    /// connector without an endpoint for an operation a workflow needs is found when the orchestrator starts.
    /// </summary>
    /// <param name="operation">The command or query kind.</param>
    /// <returns><see langword="true"/> when <see cref="HttpConnectorOptions.Endpoints"/> has it.</returns>
    public bool Supports(string operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return Options.Endpoints.ContainsKey(operation);
    }

    /// <summary>The connector's name, for messages that name the adapter.</summary>
    /// <returns><see cref="Name"/>.</returns>
    public override string ToString() => Name;

    /// <summary>The connector's options.</summary>
    protected HttpConnectorOptions Options { get; }

    /// <summary>The clock.</summary>
    protected TimeProvider TimeProvider { get; }

    /// <summary>The logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>
    /// Sends a command to the endpoint configured for its kind, with the body from
    /// <see cref="HttpConnectorOptions.RequestContentFactory"/> (default: the command as <see cref="AdapterJson"/> JSON).
    /// </summary>
    /// <param name="command">The command.</param>
    /// <param name="cancellationToken">Cancels the call; cancellation is thrown, not classified.</param>
    /// <returns>The classified outcome.</returns>
    protected async ValueTask<AdapterResult> SendCommandAsync(AdapterCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!Options.Endpoints.TryGetValue(command.Kind, out var endpoint))
        {
            return AdapterResult.Permanent(ReasonCodes.AdapterNotConfigured, $"HTTP connector '{Name}' has no endpoint for '{command.Kind}'.");
        }

        if (!AdapterJson.Options.TryGetTypeInfo(command.GetType(), out var contract))
        {
            return AdapterResult.Permanent(ReasonCodes.UnknownCommandKind, $"HTTP connector '{Name}' has no JSON contract for {command.GetType().Name} ('{command.Kind}'): only the library's commands are written by default; derive a connector that sends it with {nameof(SendAsync)}.");
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(command, contract);

        string? path;
        string? problem = null;
        using (var document = JsonDocument.Parse(json))
        {
            var root = document.RootElement;
            if (!RouteTemplate.TryExpand(endpoint.PathTemplate, name => RouteTemplate.FromJson(root, name), out path, out var missing))
            {
                problem = RouteTemplate.Problem(missing, RouteTemplate.FromJson(root, missing), "command");
            }
        }

        if (path is null)
        {
            return AdapterResult.Permanent(
                ReasonCodes.AdapterPermanent,
                $"HTTP connector '{Name}': the path template '{endpoint.PathTemplate}' of '{command.Kind}' {problem}.");
        }

        using var request = new HttpRequestMessage(endpoint.Method, new Uri(path, UriKind.Relative));
        if (Options.RequestContentFactory is { } factory)
        {
            request.Content = factory(command);
        }
        else
        {
            request.Content = new ByteArrayContent(json);
            request.Content.Headers.ContentType = s_json;
        }

        return await SendAsync(command, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a request built by a derived connector for a command: adds the idempotency key, correlation id, causation id
    /// and credential headers, sends it through the resilience pipeline and classifies the outcome.
    /// </summary>
    /// <remarks>
    /// A header the request already carries is the derived connector's own and is sent as it set it: the connector adds
    /// only the ones it lacks (as <see cref="HttpClient"/> does with its default headers), so no header is sent twice.
    /// A request that carries its own credential header is sent without asking the <see cref="ICredentialProvider"/>.
    /// </remarks>
    /// <param name="command">The command the request carries out.</param>
    /// <param name="request">The request, with a URI relative to the base address.</param>
    /// <param name="cancellationToken">Cancels the call; cancellation is thrown, not classified.</param>
    /// <returns>The classified outcome.</returns>
    protected async ValueTask<AdapterResult> SendAsync(AdapterCommand command, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(request);
        var context = command.Context;
        AddUnlessSet(request, Options.IdempotencyKeyHeader, HeaderValue(context.IdempotencyKey));
        AddUnlessSet(request, Options.CorrelationIdHeader, HeaderValue(context.CorrelationId));
        if (context.CausationId is { Length: > 0 } causation)
        {
            AddUnlessSet(request, Options.CausationIdHeader, HeaderValue(causation));
        }

        var (secret, refusal) = await AddCredentialAsync(request, cancellationToken).ConfigureAwait(false);
        var result = refusal ?? await ExchangeAsync(command.Kind, request, new SentCredential(secret, null), cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess)
        {
            LogCommandSucceeded(Logger, Name, command.Kind, context.IdempotencyKey, result.Status, result.ExternalReference);
        }
        else
        {
            LogCommandFailed(Logger, Name, command.Kind, context.IdempotencyKey, result.Status, result.Reason?.Code, result.Message);
        }

        return result;
    }

    /// <summary>
    /// Sends a <c>GET</c> to the endpoint configured for a query kind and reads the JSON answer with the adapters'
    /// source-generated JSON settings.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="queryKind">The query kind, one of <see cref="QueryKinds"/>.</param>
    /// <param name="arguments">The values of the path template's placeholders, such as <c>lot</c>.</param>
    /// <param name="typeInfo">The JSON contract of the result, such as one from <see cref="AdapterJson.Context"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result; <see langword="null"/> on 404 (unknown key), 204 or a JSON <c>null</c>.</returns>
    /// <exception cref="HttpConnectorException">The target system failed transiently after the in-call retries.</exception>
    /// <exception cref="AdapterPermanentException">The query was refused (4xx), is not configured, or the answer is not valid JSON of <typeparamref name="T"/>.</exception>
    protected async ValueTask<T?> QueryAsync<T>(
        string queryKind,
        IReadOnlyDictionary<string, string> arguments,
        JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(queryKind);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (!Options.Endpoints.TryGetValue(queryKind, out var endpoint))
        {
            throw new AdapterPermanentException(ReasonCodes.AdapterNotConfigured, $"HTTP connector '{Name}' has no endpoint for '{queryKind}'.", null);
        }

        if (!RouteTemplate.TryExpand(endpoint.PathTemplate, name => RouteTemplate.FromValues(arguments, name), out var path, out var missing))
        {
            var problem = RouteTemplate.Problem(missing, RouteTemplate.FromValues(arguments, missing), "query");
            throw new AdapterPermanentException($"HTTP connector '{Name}': the path template '{endpoint.PathTemplate}' of '{queryKind}' {problem}.");
        }

        using var request = new HttpRequestMessage(endpoint.Method, new Uri(path, UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var (secret, refusal) = await AddCredentialAsync(request, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            throw ToException(refusal, null);
        }

        HttpResponseMessage response;
        var sent = new SentCredential(secret, null);
        try
        {
            (response, sent) = await SendWithCredentialAsync(request, sent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClassifyException(ex, queryKind, sent, cancellationToken) is { } failure)
        {
            LogQueryFailed(Logger, Name, queryKind, failure.Reason?.Code, failure.Message);
            throw ToException(failure, null);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is 404 or 204)
            {
                return null;
            }

            if (response.IsSuccessStatusCode)
            {
                byte[] body;
                try
                {
                    var (read, complete) = await ReadBodyAsync(response, Options.MaxResponseBodyBytes, cancellationToken).ConfigureAwait(false);
                    if (!complete)
                    {
                        var tooLarge = $"HTTP connector '{Name}': the answer to '{queryKind}' is larger than {Options.MaxResponseBodyBytes} bytes, the most a connector reads.";
                        LogQueryFailed(Logger, Name, queryKind, ReasonCodes.AdapterPermanent.Code, tooLarge);
                        throw new AdapterPermanentException(tooLarge);
                    }

                    body = read;
                }
                catch (TimeoutException)
                {
                    var late = $"HTTP connector '{Name}': '{queryKind}' timed out while its answer was read (attempt timeout {Options.Resilience.AttemptTimeout.Timeout.TotalMilliseconds:0} ms).";
                    LogQueryFailed(Logger, Name, queryKind, ReasonCodes.AdapterTransient.Code, late);
                    throw new HttpConnectorException(ReasonCodes.AdapterTransient, late, status, null);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    var broken = $"HTTP connector '{Name}': the answer to '{queryKind}' broke off while it was read ({ex.GetType().Name}).";
                    LogQueryFailed(Logger, Name, queryKind, ReasonCodes.AdapterTransient.Code, broken);
                    throw new HttpConnectorException(ReasonCodes.AdapterTransient, broken, status, null);
                }

                try
                {
                    return body.Length == 0 ? null : JsonSerializer.Deserialize(body, typeInfo);
                }
                catch (JsonException ex)
                {
                    // The JSON exception's message quotes no request header; the path and position are enough to find the mismatch.
                    throw new AdapterPermanentException($"HTTP connector '{Name}': the answer to '{queryKind}' is not a valid {typeof(T).Name} (at {ex.Path ?? "$"}).", ex);
                }
            }

            var failure = await ClassifyFailureAsync(queryKind, response, sent, cancellationToken).ConfigureAwait(false);
            LogQueryFailed(Logger, Name, queryKind, failure.Reason?.Code, failure.Message);
            throw ToException(failure, status);
        }
    }

    /// <summary>Builds the query arguments for one placeholder.</summary>
    /// <param name="name">The placeholder name, such as <c>lot</c>.</param>
    /// <param name="value">The value.</param>
    /// <returns>The arguments.</returns>
    protected static IReadOnlyDictionary<string, string> Argument(string name, string value) =>
        new Dictionary<string, string>(1, StringComparer.OrdinalIgnoreCase) { [name] = value };

    private HttpClient CreateClient() => _clientFactory.CreateClient(_clientName);

    private async ValueTask<(string? Secret, AdapterResult? Refusal)> AddCredentialAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.NonValidated.Contains(Options.CredentialHeader))
        {
            // A derived connector that sets the credential itself keeps it; a second value would make the header invalid.
            return (null, null);
        }

        string? secret;
        try
        {
            secret = await _credentials.GetCredentialAsync(Name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The provider's own message may quote what it was looking up; name only the exception type.
            return (null, AdapterResult.Transient(ReasonCodes.AdapterTransient, $"HTTP connector '{Name}': the credential provider failed ({ex.GetType().Name}).", null));
        }

        if (string.IsNullOrEmpty(secret))
        {
            return (null, null);
        }

        // A credential is sent as it is or not at all: one outside printable ASCII would fail every attempt (and trip the circuit).
        if (!IsPrintableAscii(secret) || !request.Headers.TryAddWithoutValidation(Options.CredentialHeader, secret))
        {
            return (null, AdapterResult.Permanent(ReasonCodes.AdapterPermanent, $"HTTP connector '{Name}': the credential provider returned a value that is not a valid '{Options.CredentialHeader}' header (printable ASCII only)."));
        }

        return (secret, null);
    }

    /// <summary>Adds a header the request does not carry yet; one a derived connector set stays as it is.</summary>
    private static void AddUnlessSet(HttpRequestMessage request, string name, string value)
    {
        if (!request.Headers.NonValidated.Contains(name))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private async ValueTask<AdapterResult> ExchangeAsync(string kind, HttpRequestMessage request, SentCredential sent, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            (response, sent) = await SendWithCredentialAsync(request, sent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClassifyException(ex, kind, sent, cancellationToken) is { } failure)
        {
            return failure;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (Options.AlreadyAppliedStatusCodes.Contains(status))
            {
                return AdapterResult.AlreadyApplied(await ReadReferenceAsync(response, cancellationToken).ConfigureAwait(false));
            }

            if (response.IsSuccessStatusCode)
            {
                return AdapterResult.Success(await ReadReferenceAsync(response, cancellationToken).ConfigureAwait(false));
            }

            return await ClassifyFailureAsync(kind, response, sent, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends the request through the connector's client. When the answer is 401 to a request that carried a credential,
    /// asks the provider once more: a credential that differs from the one refused (a token that expired in flight and
    /// has been renewed) is sent once with a copy of the request; the second answer is final, so a refused credential
    /// never starts a loop.
    /// </summary>
    private async ValueTask<(HttpResponseMessage Response, SentCredential Sent)> SendWithCredentialAsync(HttpRequestMessage request, SentCredential sent, CancellationToken cancellationToken)
    {
        request.Options.Set(HttpAttemptClock.CallStarted, TimeProvider.GetTimestamp());
        var response = await CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || sent.Value is not { } refused)
        {
            return (response, sent);
        }

        string? renewed;
        try
        {
            renewed = await _credentials.GetCredentialAsync(Name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // No renewed credential: the 401 stands.
            return (response, sent);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        if (string.IsNullOrEmpty(renewed) || string.Equals(renewed, refused, StringComparison.Ordinal) || !IsPrintableAscii(renewed))
        {
            return (response, sent);
        }

        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content, Version = request.Version, VersionPolicy = request.VersionPolicy };
        try
        {
            foreach (var (name, values) in request.Headers)
            {
                if (!string.Equals(name, Options.CredentialHeader, StringComparison.OrdinalIgnoreCase))
                {
                    copy.Headers.TryAddWithoutValidation(name, values);
                }
            }

            if (!copy.Headers.TryAddWithoutValidation(Options.CredentialHeader, renewed))
            {
                return (response, sent);
            }

            copy.Options.Set(HttpAttemptClock.CallStarted, TimeProvider.GetTimestamp());
            var second = await CreateClient().SendAsync(copy, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            response.Dispose();
            return (second, new SentCredential(renewed, refused));
        }
        catch
        {
            response.Dispose();
            throw;
        }
        finally
        {
            // The content is the request's own, disposed with it.
            copy.Content = null;
            copy.Dispose();
        }
    }

    /// <summary>Maps a failed send to a transient result; <see langword="null"/> for the caller's own cancellation (rethrown).</summary>
    private AdapterResult? ClassifyException(Exception ex, string kind, SentCredential sent, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        // The circuit stays open for at most the break duration: a useful hint for the engine's next attempt.
        BrokenCircuitException => AdapterResult.Transient(
            ReasonCodes.CircuitOpen,
            $"HTTP connector '{Name}': the circuit is open after repeated failures; '{kind}' was not sent.",
            Options.Resilience.CircuitBreaker.BreakDuration),
        // The connector's own rate limiter (too many calls in flight) refused the call: the target system was not asked.
        RateLimiterRejectedException rejected => AdapterResult.Transient(
            ReasonCodes.AdapterTransient,
            $"HTTP connector '{Name}': the rate limiter refused '{kind}' (too many calls in flight); it was not sent.",
            rejected.RetryAfter),
        TimeoutRejectedException timeout => AdapterResult.Transient(
            ReasonCodes.AdapterTransient,
            $"HTTP connector '{Name}': '{kind}' timed out after {timeout.Timeout.TotalMilliseconds:0} ms.",
            null),
        HttpRequestException http => AdapterResult.Transient(
            ReasonCodes.AdapterTransient,
            Redact($"HTTP connector '{Name}': '{kind}' could not be sent ({http.HttpRequestError}): {http.Message}", sent),
            null),
        OperationCanceledException => AdapterResult.Transient(
            ReasonCodes.AdapterTransient,
            $"HTTP connector '{Name}': '{kind}' was cancelled by the HTTP client before an answer.",
            null),
        _ => null,
    };

    private async ValueTask<AdapterResult> ClassifyFailureAsync(string kind, HttpResponseMessage response, SentCredential sent, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var detail = await ReadDetailAsync(response, sent, cancellationToken).ConfigureAwait(false);
        var message = Redact($"HTTP connector '{Name}': '{kind}' answered {status} {response.ReasonPhrase}{(detail is null ? "." : ": " + detail)}", sent);
        if (HttpConnectorPipeline.IsTransientStatus(status))
        {
            return AdapterResult.Transient(ReasonCodes.AdapterTransient, message, HttpConnectorPipeline.RetryAfterOf(response, TimeProvider));
        }

        if (Options.StaleStatusCodes.Contains(status))
        {
            return AdapterResult.Stale(ReasonCodes.AdapterStale, message);
        }

        return AdapterResult.Permanent(status == 404 ? ReasonCodes.ReferenceUnknown : ReasonCodes.AdapterPermanent, message);
    }

    private static Exception ToException(AdapterResult failure, int? status) => failure.IsTransient
        ? new HttpConnectorException(failure.Reason ?? ReasonCodes.AdapterTransient, failure.Message ?? string.Empty, status, failure.RetryAfter)
        : new AdapterPermanentException(failure.Reason ?? ReasonCodes.AdapterPermanent, failure.Message ?? string.Empty, null);

    private async ValueTask<string?> ReadReferenceAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (Options.ExternalReferenceHeader is { } header && response.Headers.TryGetValues(header, out var values))
        {
            var value = string.Join(',', values).Trim();
            if (value.Length > 0)
            {
                return value;
            }
        }

        if (Options.ExternalReferenceJsonProperty is not { } property)
        {
            return null;
        }

        byte[] body;
        try
        {
            (body, var complete) = await ReadBodyAsync(response, Options.MaxResponseBodyBytes, cancellationToken).ConfigureAwait(false);
            if (!complete)
            {
                // The target applied the command (its status says so); only the reference is not read.
                LogReferenceNotRead(Logger, Name, (int)response.StatusCode, Options.MaxResponseBodyBytes);
                return null;
            }
        }
        catch (TimeoutException)
        {
            // The status says the command was applied; only the reference did not arrive in time.
            LogReferenceLate(Logger, Name, (int)response.StatusCode, Options.Resilience.AttemptTimeout.Timeout.TotalMilliseconds);
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // The status came before the body broke off: still a success, without a reference.
            return null;
        }

        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? RouteTemplate.FromJson(document.RootElement, property) : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // A success without a JSON body, or whose reference is not UTF-8 (JsonElement.GetString throws
            // InvalidOperationException), is still a success; it just carries no reference.
            return null;
        }
    }

    private async ValueTask<string?> ReadDetailAsync(HttpResponseMessage response, SentCredential sent, CancellationToken cancellationToken)
    {
        if (Options.MaxErrorDetailLength == 0)
        {
            return null;
        }

        string text;
        bool complete;
        try
        {
            // Only the start of the body is read: a target answering a huge error body costs at most this much.
            (var body, complete) = await ReadBodyAsync(response, Options.MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
            text = Encoding.UTF8.GetString(body);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // The credential comes out before the cut: cut first, a secret echoed across the cut would keep its first part.
        text = Redact((complete ? ProblemDetail(text) : null) ?? text, sent);
        var builder = new StringBuilder(Math.Min(text.Length, Options.MaxErrorDetailLength) + 1);
        foreach (var c in text)
        {
            if (builder.Length >= Options.MaxErrorDetailLength)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return builder.ToString().Trim();
    }

    /// <summary>
    /// Reads at most <paramref name="limit"/> bytes of a response body (the response was read up to its headers only)
    /// within what is left of the attempt's timeout, and of the total timeout: the pipeline's timeouts end when the
    /// headers arrive, and a target system that then sends its body a byte a minute must not hold the call for ever.
    /// </summary>
    /// <returns>The bytes read, and whether they are the whole body (<see langword="false"/>: the body is longer than the limit).</returns>
    /// <exception cref="TimeoutException">The body did not arrive in time (the caller's own cancellation is thrown as it is).</exception>
    private async ValueTask<(byte[] Body, bool Complete)> ReadBodyAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(RemainingTime(response), TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await ReadBodyWithinAsync(response, limit, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("The response body did not arrive within the attempt timeout.", ex);
        }
    }

    /// <summary>
    /// What is left of the response's attempt timeout (from when <see cref="HttpAttemptClock"/> saw the attempt start) and
    /// of its total timeout (from when the connector sent the request), whichever ends first.
    /// </summary>
    private TimeSpan RemainingTime(HttpResponseMessage response)
    {
        var resilience = Options.Resilience;
        var remaining = resilience.AttemptTimeout.Timeout;
        if (response.RequestMessage is { } request)
        {
            if (request.Options.TryGetValue(HttpAttemptClock.AttemptStarted, out var attemptStarted))
            {
                remaining = resilience.AttemptTimeout.Timeout - TimeProvider.GetElapsedTime(attemptStarted);
            }

            if (request.Options.TryGetValue(HttpAttemptClock.CallStarted, out var callStarted)
                && resilience.TotalRequestTimeout.Timeout - TimeProvider.GetElapsedTime(callStarted) is var total
                && total < remaining)
            {
                remaining = total;
            }
        }

        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    private static async ValueTask<(byte[] Body, bool Complete)> ReadBodyWithinAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is { } length && length <= limit)
        {
            limit = (int)length;
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[Math.Min(limit + 1, 16 * 1024)];
            while (buffer.Length <= limit)
            {
                var wanted = (int)Math.Min(chunk.Length, limit + 1 - buffer.Length);
                var read = await stream.ReadAsync(chunk.AsMemory(0, wanted), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer.ToArray(), true);
                }

                buffer.Write(chunk, 0, read);
            }

            return (buffer.GetBuffer().AsSpan(0, limit).ToArray(), false);
        }
    }

    /// <summary>The <c>detail</c>, <c>title</c>, <c>message</c> or <c>error</c> of a JSON (problem details) error body.</summary>
    private static string? ProblemDetail(string text)
    {
        if (!text.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            foreach (var name in (ReadOnlySpan<string>)["detail", "title", "message", "error"])
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } found)
                {
                    return found;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: quote the text.
        }

        return null;
    }

    /// <summary>
    /// A command context value as a header value: as it is when it is printable ASCII, otherwise with every other character
    /// (and <c>%</c>) percent-encoded as UTF-8, so a line break cannot start another header and a non-ASCII id cannot fail
    /// every attempt; the same value always gives the same header, on every retry.
    /// </summary>
    private static string HeaderValue(string value)
    {
        if (IsPrintableAscii(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length * 3);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.Value is >= 0x20 and < 0x7F and not '%')
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Removes every credential a call sent from a message.</summary>
    private static string Redact(string message, SentCredential sent) => Redact(Redact(message, sent.Value), sent.Refused);

    /// <summary>Removes the credential from a message, whole or as its token part (after <c>Bearer </c>).</summary>
    private static string Redact(string message, string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return message;
        }

        message = message.Replace(secret, Redacted, StringComparison.Ordinal);
        var space = secret.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && space < secret.Length - 1)
        {
            var token = secret[(space + 1)..].Trim();
            if (token.Length >= 4)
            {
                message = message.Replace(token, Redacted, StringComparison.Ordinal);
            }
        }

        return message;
    }

    /// <summary>The credentials a call sent: the one of its last request and, when a 401 made it ask again, the one refused.</summary>
    private readonly record struct SentCredential(string? Value, string? Refused);

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "HTTP connector {Connector}: {Kind} with key {IdempotencyKey} {Status} {ExternalReference}")]
    private static partial void LogCommandSucceeded(ILogger logger, string connector, string kind, string idempotencyKey, AdapterResultStatus status, string? externalReference);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "HTTP connector {Connector}: {Kind} with key {IdempotencyKey} {Status} {ReasonCode}: {Detail}")]
    private static partial void LogCommandFailed(ILogger logger, string connector, string kind, string idempotencyKey, AdapterResultStatus status, string? reasonCode, string? detail);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "HTTP connector {Connector}: the body of a {Status} success is larger than {Limit} bytes; the external reference is not read from it")]
    private static partial void LogReferenceNotRead(ILogger logger, string connector, int status, int limit);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "HTTP connector {Connector}: the body of a {Status} success did not arrive within the attempt timeout ({AttemptTimeoutMs} ms); the external reference is not read from it")]
    private static partial void LogReferenceLate(ILogger logger, string connector, int status, double attemptTimeoutMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "HTTP connector {Connector}: query {Kind} failed {ReasonCode}: {Detail}")]
    private static partial void LogQueryFailed(ILogger logger, string connector, string kind, string? reasonCode, string? detail);
}
