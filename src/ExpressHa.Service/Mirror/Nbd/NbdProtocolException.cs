namespace ExpressHa.Service.Mirror.Nbd;

/// <summary>A client broke the protocol in a way that leaves the stream out of step; the connection is closed.</summary>
internal sealed class NbdProtocolException(string message) : Exception(message);
