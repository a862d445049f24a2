using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>
/// hammer: grasp the handle 0.05 in front of the hammer's centre (near the head, so the nail's reaction has a short lever), lift, bring the head's striking face in line with the
/// nail head (closed loop on the face position computed from the hammer pose), then swing +y through the nail.
/// </summary>
public sealed class HammerExpert() : GraspingExpert(ControlTask.Hammer, objectWidth: 0.024, approachHeight: 0.12)
{
    private static readonly Vec3 GraspOffset = new(0.05, 0, -0.008);
    private static readonly Vec3 FaceOffset = new(0.12, 0.045, 0);

    protected override Vec3 GraspPoint(ObservationView observation) => observation.FirstObjectPoint(GraspOffset);

    protected override (Vec3 Target, double Gain, double Grip) Carry(ObservationView observation, Vec3 grasp)
    {
        Vec3 face = observation.FirstObjectPoint(FaceOffset);
        Vec3 nailHead = observation.SecondObjectPosition;
        Vec3 hand = observation.Hand;
        Vec3 lineUp = new(nailHead.X, nailHead.Y - 0.05, nailHead.Z);
        bool aligned = Math.Abs(face.X - nailHead.X) < 0.012 && Math.Abs(face.Z - nailHead.Z) < 0.012
            && face.Y > nailHead.Y - 0.07;
        if (!aligned)
        {
            // Raise first when the head is still low, so it never drags on the table.
            if (face.Z < nailHead.Z - 0.03 && face.Y < lineUp.Y - 0.05)
            {
                return (hand + new Vec3(0, 0, nailHead.Z - face.Z), 25, Close);
            }
            return CarryHeld(observation, face, lineUp, 15);
        }
        Vec3 through = new(nailHead.X, observation.Goal.Y + 0.03, nailHead.Z);
        return CarryHeld(observation, face, through, 25);
    }
}
