using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// The site profiles the shipped workflows reason with (regulated or not, industry profile, WMS hold location). Every
/// site the events name needs a profile: nothing is assumed for a site that has none (the shipped workflows reject its
/// events with <see cref="ReasonCodes.SiteProfileMissing"/>, and a rule overlay for it refuses the orchestrator's start).
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

    /// <summary>The registered profiles.</summary>
    public IReadOnlyCollection<SiteProfile> All => [.. _sites.Values];

    /// <summary>The profile of a site, when one is registered.</summary>
    /// <param name="site">The site.</param>
    /// <param name="profile">The profile, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the site has a profile.</returns>
    public bool TryGet(SiteId site, [NotNullWhen(true)] out SiteProfile? profile) => _sites.TryGetValue(site, out profile);

    /// <summary>The profile of a site.</summary>
    /// <param name="site">The site.</param>
    /// <returns>The registered profile.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The site has no profile (<see cref="ReasonCodes.SiteProfileMissing"/>).</exception>
    public SiteProfile Get(SiteId site) =>
        _sites.TryGetValue(site, out var profile)
            ? profile
            : throw new ManufacturingOrchestrationException(ReasonCodes.SiteProfileMissing, $"Site {site} has no profile: register it (AddSite, or SiteDirectory.Add).");

    /// <summary>The hold location used when a site names none: <c>HOLD-&lt;site&gt;</c>.</summary>
    /// <param name="site">The site.</param>
    /// <returns>The bin.</returns>
    public static BinId DefaultHoldLocation(SiteId site) => new($"HOLD-{site.Value}");
}
