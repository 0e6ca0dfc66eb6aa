namespace ExpressHa.Service.Api;

/// <summary>GET /v1/internal/config: the running config and its generation.</summary>
public sealed record RunningConfig(string Yaml, long Generation);

/// <summary>Optional: a control that can hand out its running config serves GET /v1/internal/config (a node that
/// missed a push catches up from a peer). Kept apart from <see cref="IClusterControl"/> so that contract stays as agreed.</summary>
public interface IRunningConfigSource
{
    RunningConfig GetRunningConfig();
}
