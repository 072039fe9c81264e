using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// Reads a connector's configuration section into its <see cref="HttpConnectorOptions"/>. What cannot be read (an
/// endpoint that is not <c>METHOD path</c>, a number that is not one, an unknown setting) is not thrown here but kept
/// in <see cref="HttpConnectorOptions.ConfigurationProblems"/>, so <see cref="HttpConnectorOptionsValidator"/> reports it
/// at start-up with every other failure, naming the connector and the setting.
/// </summary>
/// <remarks>
/// The section has the shape of <see cref="HttpConnectorOptions"/>, except that an endpoint is one string
/// (<see cref="HttpEndpoint.Parse(string)"/>) and that an empty endpoint removes the one seeded for its kind, so the
/// connector no longer supports it. <c>AlreadyAppliedStatusCodes</c> and <c>StaleStatusCodes</c>, when present, replace
/// their default lists (an empty list: no status means that). <c>Resilience</c> is bound as <c>HttpStandardResilienceOptions</c>.
/// </remarks>
internal static class HttpConnectorConfiguration
{
    public static void Bind(IConfiguration configuration, HttpConnectorOptions options)
    {
        foreach (var setting in configuration.GetChildren())
        {
            switch (setting.Key.ToUpperInvariant())
            {
                case "BASEADDRESS":
                    BindBaseAddress(setting, options);
                    break;
                case "ENDPOINTS":
                    BindEndpoints(setting, options);
                    break;
                case "ALREADYAPPLIEDSTATUSCODES":
                    BindStatusCodes(setting, options.AlreadyAppliedStatusCodes, options);
                    break;
                case "STALESTATUSCODES":
                    BindStatusCodes(setting, options.StaleStatusCodes, options);
                    break;
                case "RESILIENCE":
                    BindResilience(setting, options);
                    break;
                case "EXTERNALREFERENCEHEADER":
                    options.ExternalReferenceHeader = NullIfEmpty(setting.Value);
                    break;
                case "EXTERNALREFERENCEJSONPROPERTY":
                    options.ExternalReferenceJsonProperty = NullIfEmpty(setting.Value);
                    break;
                case "IDEMPOTENCYKEYHEADER":
                    options.IdempotencyKeyHeader = setting.Value ?? string.Empty;
                    break;
                case "CORRELATIONIDHEADER":
                    options.CorrelationIdHeader = setting.Value ?? string.Empty;
                    break;
                case "CAUSATIONIDHEADER":
                    options.CausationIdHeader = setting.Value ?? string.Empty;
                    break;
                case "CREDENTIALHEADER":
                    options.CredentialHeader = setting.Value ?? string.Empty;
                    break;
                case "MAXERRORDETAILLENGTH":
                    if (WholeNumber(setting, options) is { } length)
                    {
                        options.MaxErrorDetailLength = length;
                    }

                    break;
                case "MAXRESPONSEBODYBYTES":
                    if (WholeNumber(setting, options) is { } responseLimit)
                    {
                        options.MaxResponseBodyBytes = responseLimit;
                    }

                    break;
                case "MAXERRORBODYBYTES":
                    if (WholeNumber(setting, options) is { } errorLimit)
                    {
                        options.MaxErrorBodyBytes = errorLimit;
                    }

                    break;
                default:
                    options.ConfigurationProblems.Add($"'{setting.Path}' is not a setting of an HTTP connector.");
                    break;
            }
        }
    }

    /// <summary>The setting as a whole number; <see langword="null"/> (and the problem kept) when it is not one.</summary>
    private static int? WholeNumber(IConfigurationSection setting, HttpConnectorOptions options)
    {
        if (int.TryParse(setting.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        options.ConfigurationProblems.Add($"'{setting.Path}' must be a whole number, not '{setting.Value}'.");
        return null;
    }

    private static void BindBaseAddress(IConfigurationSection setting, HttpConnectorOptions options)
    {
        if (Uri.TryCreate(setting.Value?.Trim(), UriKind.Absolute, out var address))
        {
            options.BaseAddress = address;
        }
        else
        {
            options.ConfigurationProblems.Add($"'{setting.Path}' must be an absolute URI, not '{setting.Value}'.");
        }
    }

    private static void BindEndpoints(IConfigurationSection section, HttpConnectorOptions options)
    {
        if (!string.IsNullOrEmpty(section.Value))
        {
            options.ConfigurationProblems.Add($"'{section.Path}' must map each command or query kind to an endpoint such as 'POST lots/{{lot}}/stock-category'.");
            return;
        }

        foreach (var entry in section.GetChildren())
        {
            // Configuration keys are case-insensitive: an entry for a seeded kind replaces it however it is spelled.
            var kind = options.Endpoints.Keys.FirstOrDefault(k => string.Equals(k, entry.Key, StringComparison.OrdinalIgnoreCase)) ?? entry.Key;
            if (entry.GetChildren().Any())
            {
                options.ConfigurationProblems.Add($"the endpoint of '{kind}' ('{entry.Path}') must be one string such as 'POST lots/{{lot}}/stock-category'.");
            }
            else if (string.IsNullOrWhiteSpace(entry.Value))
            {
                // An empty endpoint takes the operation away: the connector no longer supports it.
                options.Endpoints.Remove(kind);
            }
            else if (HttpEndpoint.TryParse(entry.Value, out var endpoint, out var problem))
            {
                options.Endpoints[kind] = endpoint;
            }
            else
            {
                options.ConfigurationProblems.Add($"the endpoint of '{kind}' ('{entry.Path}'): {problem}.");
            }
        }
    }

    private static void BindStatusCodes(IConfigurationSection section, ISet<int> codes, HttpConnectorOptions options)
    {
        var values = section.GetChildren().Select(c => c.Value).ToList();
        if (values.Count == 0 && !string.IsNullOrWhiteSpace(section.Value))
        {
            values.AddRange(section.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        codes.Clear();
        foreach (var value in values)
        {
            if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
            {
                codes.Add(code);
            }
            else
            {
                options.ConfigurationProblems.Add($"'{section.Path}' must list HTTP status codes; '{value}' is not one.");
            }
        }
    }

    private static void BindResilience(IConfigurationSection section, HttpConnectorOptions options)
    {
        try
        {
            section.Bind(options.Resilience, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the value it could not convert, or the settings it does not know.
            options.ConfigurationProblems.Add($"'{section.Path}' could not be read: {ex.Message}");
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
