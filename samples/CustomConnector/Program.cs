using ManufacturingOrchestration.Samples;
using ManufacturingOrchestration.Samples.CustomConnector;

// CustomConnectorSample says what the sample shows; its command line is read there (--help lists the options).
return await SampleCommandLine.RunOnConsoleAsync(args, CustomConnectorSample.RunAsync);
