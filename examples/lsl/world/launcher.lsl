// Ball launcher: each touch rezzes the "Ball" of its contents a metre in front of it, thrown
// forward and up at 6 m/s. The ball's own script removes it a few seconds later.
default
{
    state_entry()
    {
        llSetText("Ball launcher: touch to throw", <1.0, 0.7, 0.4>, 1.0);
    }

    touch_start(integer total_number)
    {
        rotation facing = llGetRot();
        vector forward = llRot2Fwd(facing);
        llRezObject("Ball", llGetPos() + forward + <0.0, 0.0, 0.5>, (forward + <0.0, 0.0, 0.5>) * 6.0, facing, 1);
    }
}
