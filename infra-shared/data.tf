# Zones of the region that need no opt-in (Local Zones and Wavelength Zones are left out).
data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}
