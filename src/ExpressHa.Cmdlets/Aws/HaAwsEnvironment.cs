namespace ExpressHa.Cmdlets
{
    /// <summary>What Get-HaAwsEnvironment read from the instance metadata: the values a cluster config needs for this
    /// node (instance id and AZ for the node, VPC and ENI for awsvip/awseip/awssip, subnet for addresses).</summary>
    public sealed class HaAwsEnvironment
    {
        public string? InstanceId { get; set; }
        public string? Region { get; set; }
        public string? AvailabilityZone { get; set; }
        public string? VpcId { get; set; }
        public string? VpcCidr { get; set; }
        public string? SubnetId { get; set; }
        public string? SubnetCidr { get; set; }
        public string? NetworkInterfaceId { get; set; }
        public string? PrivateIp { get; set; }
        public string? Mac { get; set; }
        /// <summary>This machine's host name (up to the first dot): the node name -AsNodeParameters proposes.</summary>
        public string? HostName { get; set; }

        public override string ToString() => $"{InstanceId} ({AvailabilityZone}, {VpcId}, {NetworkInterfaceId}, {PrivateIp})";
    }
}
