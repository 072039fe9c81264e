using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Intake;

/// <summary>
/// The rule for a channel — where input came from (<c>api</c>, <c>file:counts.jsonl</c>, <c>webhook:qms</c>), recorded
/// with every rejection — defined once for the orchestrator and the intake: the identifier rules
/// (<see cref="Identifier.IsValid(string?, int, out string?)"/>) with the event-source bound
/// (<see cref="Identifier.MaxKeyLength"/>), so a channel is printable, single-line text no longer than a source.
/// </summary>
internal static class IntakeChannel
{
    /// <summary>The longest channel accepted, in UTF-16 code units.</summary>
    public const int MaxLength = Identifier.MaxKeyLength;

    private const string FilePrefix = "file:";

    /// <summary>Throws when a caller's channel breaks the rule; a channel is the caller's choice, not input to record.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="paramName">The parameter's name, for the exception.</param>
    /// <exception cref="ArgumentException">The channel is blank, too long, or has a character an identifier may not hold.</exception>
    public static void ThrowIfInvalid(string channel, [CallerArgumentExpression(nameof(channel))] string? paramName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(channel, paramName);
        if (!Identifier.IsValid(channel, MaxLength, out var problem))
        {
            throw new ArgumentException($"The channel {problem}.", paramName);
        }
    }

    /// <summary>The channel of a dropped file's input, <c>file:&lt;name&gt;</c>, valid whatever the file is called: the name
    /// is data, so characters a channel may not hold are written as <c>\uXXXX</c> (<see cref="FreeText.Escape"/>, as a
    /// rejection records them), and a name too long is cut and ends with <c>…</c>.</summary>
    /// <param name="fileName">The file's name.</param>
    /// <returns>A channel that passes <see cref="ThrowIfInvalid"/>.</returns>
    public static string ForFile(string fileName)
    {
        var channel = FilePrefix + FreeText.Escape(fileName);

        // White space a name ends with is printable, so not escaped, but would end the channel.
        var end = channel.Length;
        while (char.IsWhiteSpace(channel[end - 1]))
        {
            end--;
        }

        if (end < channel.Length)
        {
            var escaped = new StringBuilder(channel, 0, end, channel.Length + 16);
            foreach (var c in channel.AsSpan(end))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }

            channel = escaped.ToString();
        }

        return EventIntake.Shortened(channel, MaxLength);
    }
}
