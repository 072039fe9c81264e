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
        if (builder.Capacity <= MaxKeptCapacity)
        {
            _cached = builder;
        }

        return text;
    }
}
