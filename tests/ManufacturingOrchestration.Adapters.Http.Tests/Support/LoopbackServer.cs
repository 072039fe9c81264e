using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ManufacturingOrchestration.Adapters.Http.Tests.Support;

/// <summary>A request the loopback server received.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A scripted answer of the loopback server.</summary>
public sealed class ScriptedResponse
{
    public int Status { get; init; } = 200;

    public string? Body { get; init; }

    /// <summary>The body as raw bytes, sent instead of <see cref="Body"/> when set (such as bytes that are not UTF-8).</summary>
    public byte[]? BodyBytes { get; init; }

    public string ContentType { get; init; } = "application/json";

    /// <summary>
    /// Writes the body itself (instead of <see cref="Body"/>), announced with <see cref="ContentLength"/>: a body that
    /// arrives in parts, or stops part-way.
    /// </summary>
    public Func<Stream, Task>? WriteBody { get; init; }

    /// <summary>The <c>Content-Length</c> announced for <see cref="WriteBody"/>.</summary>
    public long ContentLength { get; init; }

    public Dictionary<string, string> Headers { get; init; } = [];

    /// <summary>A server-side pause before answering (kept at or under 300 ms).</summary>
    public TimeSpan Delay { get; init; }

    public static ScriptedResponse Of(int status, string? body = null) => new() { Status = status, Body = body };
}

/// <summary>A real HTTP server on 127.0.0.1 (HttpListener on a free port) answering from a script and recording every request.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<RecordedRequest, int, ScriptedResponse> _script;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private int _count;

    private LoopbackServer(HttpListener listener, Uri baseAddress, Func<RecordedRequest, int, ScriptedResponse> script)
    {
        _listener = listener;
        BaseAddress = baseAddress;
        _script = script;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>
    /// The time limit, in milliseconds, of a test that talks to a loopback server: a test that hangs on the network fails
    /// with a timeout instead of holding up the whole run.
    /// </summary>
    public const int TestTimeout = 60_000;

    public Uri BaseAddress { get; }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public int Hits => Volatile.Read(ref _count);

    /// <summary>Starts a server; the script gets each request and its 0-based index.</summary>
    public static LoopbackServer Start(Func<RecordedRequest, int, ScriptedResponse> script)
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            var prefix = $"http://127.0.0.1:{port}/";
            listener.Prefixes.Add(prefix);
            try
            {
                listener.Start();
                return new LoopbackServer(listener, new Uri(prefix + "api/v1/"), script);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>Starts a server that answers the same way every time.</summary>
    public static LoopbackServer Always(ScriptedResponse response) => Start((_, _) => response);

    /// <summary>Starts a server that answers from a sequence, repeating its last answer.</summary>
    public static LoopbackServer Sequence(params ScriptedResponse[] responses) =>
        Start((_, index) => responses[Math.Min(index, responses.Length - 1)]);

    public async ValueTask DisposeAsync()
    {
        // The loop stops on the token, not on the listener: on Linux a GetContextAsync that starts while Stop runs
        // is never completed, and waiting for it would hang the test run.
        await _stopping.CancelAsync();
        _listener.Stop();
        _listener.Close();
        await _loop;
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(_stopping.Token);
            }
            catch (Exception)
            {
                // Stopping (the token, or the listener closed under the call) or the listener failed: either way no
                // more requests are taken.
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync();
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string? key in context.Request.Headers.AllKeys)
            {
                if (key is not null)
                {
                    headers[key] = context.Request.Headers[key] ?? string.Empty;
                }
            }

            var request = new RecordedRequest(context.Request.HttpMethod, context.Request.RawUrl ?? string.Empty, headers, body);
            var index = Interlocked.Increment(ref _count) - 1;
            _requests.Enqueue(request);
            var response = _script(request, index);
            if (response.Delay > TimeSpan.Zero)
            {
                await Task.Delay(response.Delay);
            }

            context.Response.StatusCode = response.Status;
            foreach (var (name, value) in response.Headers)
            {
                context.Response.AddHeader(name, value);
            }

            if (response.WriteBody is { } write)
            {
                context.Response.ContentType = response.ContentType;
                context.Response.ContentLength64 = response.ContentLength;
                await write(context.Response.OutputStream);
            }
            else if ((response.BodyBytes ?? (response.Body is { } text ? Encoding.UTF8.GetBytes(text) : null)) is { } bytes)
            {
                context.Response.ContentType = response.ContentType;
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
            }

            context.Response.Close();
        }
        catch (Exception)
        {
            // The client gave up (an attempt timeout): nothing to answer.
            try
            {
                context.Response.Abort();
            }
            catch (Exception)
            {
                // Already gone.
            }
        }
    }
}
