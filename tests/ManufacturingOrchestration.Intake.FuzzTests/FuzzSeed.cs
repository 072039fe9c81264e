using System.Globalization;

namespace ManufacturingOrchestration.Intake.FuzzTests;

/// <summary>
/// The seed every generator of the suite starts from: fixed, so a run in CI is the same run every time. Outside CI,
/// <c>FUZZ_SEED=random</c> draws a new one and <c>FUZZ_SEED=&lt;number&gt;</c> replays one; either way the seed is printed
/// with the figures of each test, for reproduction.
/// </summary>
internal static class FuzzSeed
{
    /// <summary>The seed of a run with no <c>FUZZ_SEED</c> (and of every run in CI).</summary>
    public const ulong Fixed = 20_261_206;

    public static ulong Value { get; } = Resolve();

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static ulong Resolve()
    {
        var requested = Environment.GetEnvironmentVariable("FUZZ_SEED");
        if (string.IsNullOrWhiteSpace(requested) || InCi)
        {
            return Fixed;
        }

        if (string.Equals(requested, "random", StringComparison.OrdinalIgnoreCase))
        {
            return (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        }

        return ulong.Parse(requested, NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
