using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>The industry profile of a site: it can add required approvals (e.g. design authority in aerospace).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<IndustryProfile>))]
public enum IndustryProfile
{
    /// <summary>General discrete manufacturing.</summary>
    General = 0,

    /// <summary>Aerospace (AS9100): use-as-is and repair need the design authority.</summary>
    Aerospace = 1,

    /// <summary>Medical devices (21 CFR 820, ISO 13485).</summary>
    MedicalDevice = 2,

    /// <summary>Automotive (IATF 16949).</summary>
    Automotive = 3,

    /// <summary>Pharmaceutical (GMP).</summary>
    Pharmaceutical = 4,

    /// <summary>Electronics.</summary>
    Electronics = 5,
}

/// <summary>A site (plant) and its local policy.</summary>
public sealed record SiteProfile
{
    /// <summary>The site identifier.</summary>
    public required SiteId Id { get; init; }

    /// <summary>A name for people.</summary>
    public string? Name { get; init; }

    /// <summary>The region, such as <c>EU</c> or <c>NA</c>.</summary>
    public string? Region { get; init; }

    /// <summary>Whether products at this site are regulated: release, scrap and use-as-is always need a human approval.</summary>
    public bool IsRegulated { get; init; }

    /// <summary>The industry profile.</summary>
    public IndustryProfile Industry { get; init; } = IndustryProfile.General;

    /// <summary>The IANA time zone of the site, such as <c>Europe/Berlin</c>: the site's date (<see cref="DateAt"/>) decides expiry and shelf life.</summary>
    public string TimeZone { get; init => field = value ?? "UTC"; } = "UTC";

    /// <summary>The date at the site at an instant — "today" for expiry and shelf life there, which is not the UTC date for a site east or west of Greenwich.</summary>
    /// <param name="instant">The instant, from the caller's <see cref="TimeProvider"/>.</param>
    /// <returns>The site's calendar date at that instant.</returns>
    /// <exception cref="ManufacturingOrchestrationException"><see cref="TimeZone"/> is not a time zone this machine knows (<see cref="ReasonCodes.OutOfRange"/>).</exception>
    public DateOnly DateAt(DateTimeOffset instant)
    {
        if (string.Equals(TimeZone, "UTC", StringComparison.Ordinal))
        {
            return DateOnly.FromDateTime(instant.UtcDateTime);
        }

        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.OutOfRange, $"Site {Id} names the time zone '{TimeZone}', which this machine does not know.", ex);
        }

        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
    }

    /// <summary>The WMS location that holds quarantined stock.</summary>
    public BinId? HoldLocation { get; init; }

    /// <summary>Plant-local policy switches by name; see the rules documentation for the switches read.</summary>
    public IReadOnlyDictionary<string, bool> PolicySwitches { get; init => field = value ?? new Dictionary<string, bool>(); } = new Dictionary<string, bool>();

    /// <summary>Reads a policy switch, falling back to <paramref name="defaultValue"/>.</summary>
    /// <param name="name">The switch name.</param>
    /// <param name="defaultValue">The value when the switch is not set.</param>
    /// <returns>The switch value.</returns>
    public bool IsSwitchOn(string name, bool defaultValue = false) =>
        PolicySwitches.TryGetValue(name, out var value) ? value : defaultValue;
}
