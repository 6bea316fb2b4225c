import Testing
@testable import TesseraLSL

/// Scripts written in ordinary LSL, the kind people put in doors and greeters.
enum RealScripts {
    static let door = """
        // A door that swings open on touch and closes itself after ten seconds.
        integer isOpen = FALSE;
        rotation closedRotation;

        swing(integer open)
        {
            rotation turn = llEuler2Rot(<0.0, 0.0, 90.0> * DEG_TO_RAD);
            if (open) llSetLocalRot(turn * closedRotation);
            else llSetLocalRot(closedRotation);
            isOpen = open;
        }

        default
        {
            state_entry()
            {
                closedRotation = llGetLocalRot();
                llOwnerSay("Door ready for " + llKey2Name(llGetOwner()) + " (" + llGetOwner() + ")");
            }

            touch_start(integer total_number)
            {
                if (!isOpen)
                {
                    swing(TRUE);
                    llSetTimerEvent(10.0);
                }
                else
                {
                    swing(FALSE);
                    llSetTimerEvent(0.0);
                }
            }

            timer()
            {
                llSetTimerEvent(0.0);
                swing(FALSE);
            }
        }
        """

    static let greeter = """
        list greeted;
        float RANGE = 10.0;

        default
        {
            state_entry()
            {
                llSensorRepeat("", NULL_KEY, AGENT, RANGE, PI, 5.0);
            }

            sensor(integer detected)
            {
                integer i;
                for (i = 0; i < detected; ++i)
                {
                    key who = llDetectedKey(i);
                    if (llListFindList(greeted, [who]) == -1)
                    {
                        llSay(0, "Hello, " + llDetectedName(i) + "!");
                        greeted += [who];
                        if (llGetListLength(greeted) > 50)
                            greeted = llDeleteSubList(greeted, 0, 0);
                    }
                }
            }

            no_sensor() { }
        }
        """

    static let timerClock = """
        integer seconds;

        string two(integer n)
        {
            if (n < 10) return "0" + (string)n;
            return (string)n;
        }

        default
        {
            state_entry()
            {
                seconds = (integer)llGetWallclock();
                llSetTimerEvent(1.0);
            }

            timer()
            {
                seconds = (seconds + 1) % 86400;
                integer h = seconds / 3600;
                integer m = (seconds % 3600) / 60;
                llSetText(two(h) + ":" + two(m) + ":" + two(seconds % 60), <1.0, 1.0, 1.0>, 1.0);
            }

            touch_start(integer n)
            {
                state paused;
            }
        }

        state paused
        {
            state_entry() { llSetTimerEvent(0.0); llSetText("paused", <1, 0.5, 0>, 1.0); }
            touch_start(integer n) { state default; }
        }
        """

    static let sensorLight = """
        vector WARM = <1.0, 0.8, 0.6>;
        integer lit;

        light(integer on)
        {
            if (on == lit) return;
            lit = on;
            llSetLinkPrimitiveParamsFast(LINK_THIS, [PRIM_POINT_LIGHT, on, WARM, 1.0, 10.0, 0.75,
                PRIM_GLOW, ALL_SIDES, 0.2 * on, PRIM_POSITION, llGetPos() + <0, 0, 0.01> * on]);
        }

        default
        {
            state_entry()
            {
                lit = -1;
                light(FALSE);
                llSensorRepeat("", "", AGENT_BY_LEGACY_NAME, 8.0, TWO_PI, 2.0);
            }

            sensor(integer n) { light(TRUE); }
            no_sensor() { light(FALSE); }

            on_rez(integer param) { llResetScript(); }

            changed(integer change)
            {
                if (change & (CHANGED_OWNER | CHANGED_INVENTORY)) llResetScript();
                do { jump done; } while (FALSE);
                @done;
            }
        }
        """
}

@Suite struct RealScriptTests {
    @Test(arguments: [
        ("door.lsl", RealScripts.door), ("greeter.lsl", RealScripts.greeter),
        ("clock.lsl", RealScripts.timerClock), ("light.lsl", RealScripts.sensorLight),
    ])
    func compilesWithoutDiagnostics(file: String, source: String) throws {
        let (script, diagnostics) = LSLCompiler.check(source, file: file)
        #expect(diagnostics.isEmpty, "\(diagnostics.rendered(source: source))")
        #expect(script != nil)
    }

    @Test func theClockHasTwoStates() throws {
        let script = try #require(LSLCompiler.check(RealScripts.timerClock, file: "clock.lsl").script)
        #expect(script.states.map(\.name) == ["default", "paused"])
        #expect(script.states[0].events.map(\.name) == ["state_entry", "timer", "touch_start"])
    }
}
