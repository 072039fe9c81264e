using System.Collections.Concurrent;
using System.Text;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// One reusable <see cref="StringBuilder"/> per thread for the texts written on the hot path (state digests, step
/// summaries, decision explanations): only the finished text is allocated. A nested <see cref="Acquire"/> on the same
/// thread gets a builder of its own, so callers need not know about each other.
/// </summary>
internal static class TextBuilders
{
    private const int MaxKeptCapacity = 16 * 1024;

    [ThreadStatic]
    private static StringBuilder? _cached;

    /// <summary>An empty builder: this thread's cached one, or a new one while that is in use.</summary>
    public static StringBuilder Acquire()
    {
        var builder = _cached;
        if (builder is null)
        {
            return new StringBuilder(512);
        }

        _cached = null;
        builder.Clear();
        return builder;
    }

    /// <summary>The builder's text; the builder goes back to this thread's cache unless it grew unusually large.</summary>
    public static string ToStringAndRelease(StringBuilder builder)
    {
        var text = builder.ToString();
        Release(builder);
        return text;
    }

    /// <summary>
    /// The builder's text as the one instance <paramref name="shared"/> holds for it, for texts that repeat from event to
    /// event (a step's summary: event type, decisions, planned commands): found without allocating, added when new.
    /// The builder goes back to this thread's cache.
    /// </summary>
    public static string ToSharedStringAndRelease(StringBuilder builder, SharedTexts shared)
    {
        var text = shared.Get(builder);
        Release(builder);
        return text;
    }

    private static void Release(StringBuilder builder)
    {
        if (builder.Capacity <= MaxKeptCapacity)
        {
            _cached = builder;
        }
    }
}

/// <summary>
/// A bounded set of texts kept as one instance each, so a text made again and again (and kept, as audit records keep
/// their summaries) is allocated and held once. Once full it hands out new instances: it never grows without bound.
/// </summary>
internal sealed class SharedTexts
{
    private readonly ConcurrentDictionary<string, string> _texts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly int _capacity;
    private int _count;

    /// <param name="capacity">The most texts it keeps.</param>
    public SharedTexts(int capacity)
    {
        _capacity = capacity;
        _bySpan = _texts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The builder's text: the kept instance when there is one.</summary>
    public string Get(StringBuilder builder)
    {
        // A builder from TextBuilders holds its text in one chunk unless it outgrew its first; a longer one is not looked up.
        ReadOnlyMemory<char> text = default;
        var chunks = 0;
        foreach (var chunk in builder.GetChunks())
        {
            text = chunk;
            chunks++;
        }

        if (chunks != 1)
        {
            return builder.ToString();
        }

        if (_bySpan.TryGetValue(text.Span, out var kept))
        {
            return kept;
        }

        var made = builder.ToString();
        if (Volatile.Read(ref _count) < _capacity && _texts.TryAdd(made, made))
        {
            Interlocked.Increment(ref _count);
        }

        return made;
    }
}
