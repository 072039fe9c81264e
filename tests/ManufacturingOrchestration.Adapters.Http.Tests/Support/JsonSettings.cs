using Microsoft.Extensions.Configuration;

namespace ManufacturingOrchestration.Adapters.Http.Tests.Support;

/// <summary>Configuration read from a real JSON file, as a host reads <c>appsettings.json</c>.</summary>
public static class JsonSettings
{
    /// <summary>Writes the JSON to <c>appsettings.json</c> in a fresh temporary folder, reads it, and removes the folder.</summary>
    public static ConfigurationRoot Load(string json)
    {
        var directory = Directory.CreateTempSubdirectory("mo-http-settings-");
        try
        {
            var path = Path.Combine(directory.FullName, "appsettings.json");
            File.WriteAllText(path, json);
            return (ConfigurationRoot)new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
