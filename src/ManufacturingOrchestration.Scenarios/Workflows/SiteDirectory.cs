using System.Collections.Concurrent;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// The site profiles the shipped workflows reason with (regulated or not, industry profile, WMS hold location).
/// A site that is not registered gets a general, unregulated profile whose hold location is <c>HOLD-&lt;site&gt;</c>.
/// </summary>
public sealed class SiteDirectory
{
    private readonly ConcurrentDictionary<SiteId, SiteProfile> _sites = new();

    /// <summary>Creates a directory with the given profiles.</summary>
    /// <param name="sites">The profiles.</param>
    public SiteDirectory(IEnumerable<SiteProfile>? sites = null)
    {
        foreach (var site in sites ?? [])
        {
            Add(site);
        }
    }

    /// <summary>Adds or replaces a profile.</summary>
    /// <param name="site">The profile.</param>
    /// <returns>This directory.</returns>
    public SiteDirectory Add(SiteProfile site)
    {
        ArgumentNullException.ThrowIfNull(site);
        _sites[site.Id] = site;
        return this;
    }

    /// <summary>The profile of a site.</summary>
    /// <param name="site">The site.</param>
    /// <returns>The registered profile, or the default one.</returns>
    public SiteProfile Get(SiteId site) =>
        _sites.GetOrAdd(site, static id => new SiteProfile { Id = id, HoldLocation = DefaultHoldLocation(id) });

    /// <summary>The hold location used when a site names none: <c>HOLD-&lt;site&gt;</c>.</summary>
    /// <param name="site">The site.</param>
    /// <returns>The bin.</returns>
    public static BinId DefaultHoldLocation(SiteId site) => new($"HOLD-{site.Value}");
}
