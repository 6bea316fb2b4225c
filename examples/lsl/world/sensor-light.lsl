// Light: bright while an avatar is within 10 m, dim otherwise. It looks every two seconds.
float RANGE = 10.0;
vector BRIGHT = <1.0, 0.95, 0.6>;
vector DIM = <0.15, 0.15, 0.2>;
integer lit = -1;

light(integer on)
{
    if (on == lit) return;
    lit = on;
    if (on) llSetColor(BRIGHT, ALL_SIDES);
    else llSetColor(DIM, ALL_SIDES);
}

default
{
    state_entry()
    {
        light(FALSE);
        llSensorRepeat("", NULL_KEY, AGENT, RANGE, PI, 2.0);
    }

    sensor(integer detected)
    {
        light(TRUE);
    }

    no_sensor()
    {
        light(FALSE);
    }
}
