namespace ExpressHa.Service.Resources;

/// <summary>Codes of <see cref="ResourceException"/> raised by the local drivers, shown in alerts as
/// "Activating X resource has failed.(code : message)". They follow the older scheme of the "EXPRESSCLUSTER X HA
/// Cluster Configuration Guide for Amazon Web Services" (the 3.3 edition: 5 failed, 6 timeout, 99 internal) and add
/// the local drivers' own conditions.</summary>
public static class ResourceErrorCodes
{
    /// <summary>The command (or the OS call) failed: exit status other than 0.</summary>
    public const int CommandFailed = 5;
    /// <summary>The command did not finish within its timeout; its process group was killed.</summary>
    public const int Timeout = 6;
    /// <summary>The command could not be started (program or working directory missing).</summary>
    public const int CannotRun = 7;
    /// <summary>A parameter is missing or malformed on this node.</summary>
    public const int BadParameter = 8;
    /// <summary>floatip: the address already answers on the network (another host holds it).</summary>
    public const int DuplicateAddress = 10;
    /// <summary>floatip: no interface was given for this node and none holds a subnet containing the address.</summary>
    public const int NoInterface = 11;
    public const int Internal = 99;
}
