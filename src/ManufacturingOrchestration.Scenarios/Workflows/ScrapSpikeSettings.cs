using System.Collections.Concurrent;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// How the scrap-spike workflow aggregates scrap reports and what it compares them with: the length of the sliding
/// window, its granularity, the spike factor, the smallest window worth judging, and the baseline yield per line, per
/// site, or by default.
/// </summary>
/// <remarks>Baselines may be changed while the orchestrator runs (thread-safe); the window parameters are fixed at creation.</remarks>
public sealed class ScrapSpikeSettings
{
    private readonly ConcurrentDictionary<(SiteId Site, string? Line), decimal> _baselines = new();

    /// <summary>The length of the sliding window over which scrap and good quantity are summed. Default 8 hours (a shift).</summary>
    public TimeSpan Window
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromHours(8);

    /// <summary>How many buckets the window is kept in (its granularity; the state of a line stays this small). Default 16.</summary>
    public int BucketsPerWindow
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1440);
            field = value;
        }
    } = 16;

    /// <summary>The baseline yield (good ÷ produced) of a line with no configured baseline. Default 0.98.</summary>
    public decimal DefaultBaselineYield
    {
        get;
        init
        {
            ValidateYield(value);
            field = value;
        }
    } = 0.98m;

    /// <summary>How many times the baseline scrap rate counts as a spike. Default 2.</summary>
    public decimal SpikeFactor
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, 0m);
            field = value;
        }
    } = 2m;

    /// <summary>The produced quantity (scrap + good) below which a window is too small to call a spike. Default 0.</summary>
    public decimal MinimumQuantity
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>The length of one bucket of the window.</summary>
    public TimeSpan BucketLength => TimeSpan.FromTicks(Math.Max(1, Window.Ticks / BucketsPerWindow));

    /// <summary>Sets the baseline yield of every line of a site that has no line baseline.</summary>
    /// <param name="site">The site.</param>
    /// <param name="baselineYield">The yield, greater than 0 and at most 1.</param>
    /// <returns>These settings.</returns>
    public ScrapSpikeSettings SetBaseline(SiteId site, decimal baselineYield)
    {
        ValidateYield(baselineYield);
        _baselines[(site, null)] = baselineYield;
        return this;
    }

    /// <summary>Sets the baseline yield of one line.</summary>
    /// <param name="site">The site.</param>
    /// <param name="line">The line or work centre.</param>
    /// <param name="baselineYield">The yield, greater than 0 and at most 1.</param>
    /// <returns>These settings.</returns>
    public ScrapSpikeSettings SetBaseline(SiteId site, string line, decimal baselineYield)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(line);
        ValidateYield(baselineYield);
        _baselines[(site, line)] = baselineYield;
        return this;
    }

    /// <summary>The baseline yield of a line: its own, else its site's, else <see cref="DefaultBaselineYield"/>.</summary>
    /// <param name="site">The site.</param>
    /// <param name="line">The line or work centre.</param>
    /// <returns>The baseline yield.</returns>
    public decimal BaselineFor(SiteId site, string line) =>
        _baselines.TryGetValue((site, line), out var own) ? own
        : _baselines.TryGetValue((site, null), out var bySite) ? bySite
        : DefaultBaselineYield;

    private static void ValidateYield(decimal value)
    {
        if (value is <= 0m or > 1m)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A baseline yield is greater than 0 and at most 1.");
        }
    }
}
