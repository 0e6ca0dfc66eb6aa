namespace ExpressHa.Api
{
    /// <summary>GET /v1/config: the config the cluster runs now, as the answering node holds it.</summary>
    public sealed class RunningClusterConfig
    {
        public string ClusterName { get; set; } = "";
        /// <summary>The node that answered.</summary>
        public string Node { get; set; } = "";
        public long Generation { get; set; }
        public string Yaml { get; set; } = "";

        public override string ToString() => $"{ClusterName} generation {Generation}";
    }
}
