package main

// The two editions of the VF-200 operating manual. The German edition is
// the newer one (2.1): it has a section on derating at high altitude that
// the English edition 2.0 does not have yet, which is what the demo's
// cross-language search finds for an English question.

var paramCols = []float64{0, 80, 250, 380}
var faultCols = []float64{0, 48, 190}

var english = manual{
	lang:   "en-GB",
	title:  "VF-200 Frequency Inverter - Operating Manual",
	footer: "VF-200 Operating Manual, edition 2.0",
	blocks: []block{
		{kind: title, text: "VF-200 Frequency Inverter"},
		{kind: subtitle, text: "Operating Manual, edition 2.0 (January 2026). Applies to firmware 3.x."},
		{kind: para, text: "This manual describes the installation, the parameters, the fault codes and the maintenance of the VF-200 frequency inverters for three-phase motors from 0.75 to 22 kW."},

		{kind: h1, text: "1 Safety notes"},
		{kind: para, text: "Read this manual before you install or operate the VF-200 frequency inverter. Only qualified electricians may install, connect and commission the drive. Keep the manual with the drive."},
		{kind: note, label: "WARNING – Dangerous voltage", text: "The DC bus capacitors stay charged for up to 5 minutes after the supply is switched off. Wait at least 5 minutes and measure the voltage between terminals DC+ and DC– before you touch any terminal."},
		{kind: note, label: "CAUTION – Hot surfaces", text: "The heat sink can reach 90 °C in operation. Let the drive cool down before maintenance work."},
		{kind: note, label: "NOTE – Leakage current", text: "The drive has a leakage current above 3.5 mA. A fixed protective earth connection is mandatory; see 2.2."},

		{kind: h1, text: "2 Installation"},
		{kind: h2, text: "2.1 Mounting"},
		{kind: para, text: "Mount the drive vertically on a non-flammable wall inside a control cabinet with at least IP54 protection. Leave at least 100 mm of free space above and below the drive for the cooling air. The permitted ambient temperature is -10 °C to 50 °C; above 40 °C reduce the output current by 2 % per degree."},
		{kind: bullet, text: "Do not mount drives directly above each other without an air baffle."},
		{kind: bullet, text: "Keep drilling chips and cable ends out of the drive during installation."},
		{kind: h2, text: "2.2 Electrical connection"},
		{kind: para, text: "Connect the supply to terminals L1, L2 and L3 and the motor to U, V and W. Connect the PE terminal to the cabinet ground bar with a copper wire of at least 4 mm². Grounding with a short, direct wire is the best protection against earth fault trips."},
		{kind: para, text: "Use a shielded motor cable and connect the shield to ground at both ends. Motor cables longer than 50 m need an output reactor. A braking resistor is connected to terminals B1 and B2 and enabled with parameter P3.05."},

		{kind: pageBreak},
		{kind: h1, text: "3 Parameters"},
		{kind: para, text: "The parameters are set on the keypad or over Modbus. Changed values take effect at once; parameters marked with * can only be changed while the motor is stopped. The table lists the parameters needed for commissioning."},
		{kind: table, cols: paramCols, rows: [][]string{
			{"Parameter", "Name", "Range", "Default"},
			{"P0.01", "Control mode *", "0 = V/f, 1 = vector", "0"},
			{"P1.01", "Maximum frequency", "50.00–400.00 Hz", "50.00 Hz"},
			{"P1.07", "Acceleration time", "0.1–3600.0 s", "10.0 s"},
			{"P1.08", "Deceleration time", "0.1–3600.0 s", "10.0 s"},
			{"P2.01", "Motor rated current *", "0.1–60.0 A", "model"},
			{"P3.05", "Braking resistor enable", "0 = off, 1 = on", "0"},
			{"P9.01", "Fault reset", "0 / 1", "0"},
		}},
		{kind: para, text: "With a high load inertia a short deceleration time makes the motor feed energy back into the DC bus. Lengthen the deceleration time P1.08 or fit a braking resistor."},

		{kind: h1, text: "4 Fault codes"},
		{kind: para, text: "A fault stops the motor and shows its code on the keypad. Remove the cause, then reset the fault with the STOP/RESET key or parameter P9.01."},
		{kind: table, cols: faultCols, rows: [][]string{
			{"Code", "Fault", "Remedy"},
			{"E07", "Earth fault", "Check the motor insulation and the PE connection"},
			{"E12", "DC bus overvoltage", "Lengthen P1.08 or fit a braking resistor"},
			{"E21", "Overtemperature", "Clean the heat sink, check the cooling fan"},
			{"E30", "Motor overload", "Check the load and the motor rated current P2.01"},
		}},

		{kind: pageBreak},
		{kind: h1, text: "5 Maintenance"},
		{kind: para, text: "Switch off the supply and wait 5 minutes before any maintenance work (see 1)."},
		{kind: bullet, text: "Every 6 months: remove dust from the heat sink with dry compressed air."},
		{kind: bullet, text: "Replace the cooling fan every 5 years or after 40 000 operating hours, whichever comes first. A worn fan is the most common cause of overtemperature faults (E21)."},
		{kind: bullet, text: "After storage of more than one year, reform the DC bus capacitors: apply the supply for one hour without running the motor."},
		{kind: h1, text: "6 Technical data"},
		{kind: para, text: "Supply 3 × 380–480 V, 50/60 Hz. Output 0–400 Hz. Power range 0.75 to 22 kW. Overload capacity 150 % for 60 s. Protection class IP20. Weight 2.1 to 9.8 kg depending on the model."},
	},
}

var german = manual{
	lang:   "de-DE",
	title:  "VF-200 Frequenzumrichter - Betriebsanleitung",
	footer: "VF-200 Betriebsanleitung, Ausgabe 2.1",
	blocks: []block{
		{kind: title, text: "VF-200 Frequenzumrichter"},
		{kind: subtitle, text: "Betriebsanleitung, Ausgabe 2.1 (März 2026). Gilt für die Firmware 3.x."},
		{kind: para, text: "Diese Anleitung beschreibt die Installation, die Parameter, die Fehlercodes und die Wartung der Frequenzumrichter VF-200 für Drehstrommotoren von 0,75 bis 22 kW."},

		{kind: h1, text: "1 Sicherheitshinweise"},
		{kind: para, text: "Lesen Sie diese Anleitung, bevor Sie den Frequenzumrichter VF-200 installieren oder in Betrieb nehmen. Nur Elektrofachkräfte dürfen das Gerät montieren, anschließen und in Betrieb nehmen. Bewahren Sie die Anleitung beim Gerät auf."},
		{kind: note, label: "WARNUNG – Gefährliche Spannung", text: "Die Kondensatoren des Zwischenkreises bleiben nach dem Abschalten der Netzspannung bis zu 5 Minuten geladen. Warten Sie mindestens 5 Minuten und messen Sie die Spannung zwischen den Klemmen DC+ und DC–, bevor Sie eine Klemme berühren."},
		{kind: note, label: "VORSICHT – Heiße Oberflächen", text: "Der Kühlkörper kann im Betrieb 90 °C erreichen. Lassen Sie das Gerät vor Wartungsarbeiten abkühlen."},
		{kind: note, label: "HINWEIS – Ableitstrom", text: "Der Ableitstrom des Geräts ist größer als 3,5 mA. Ein fester Schutzleiteranschluss ist vorgeschrieben, siehe 2.2."},

		{kind: h1, text: "2 Installation"},
		{kind: h2, text: "2.1 Montage"},
		{kind: para, text: "Montieren Sie das Gerät senkrecht auf einer nicht brennbaren Wand in einem Schaltschrank mit mindestens Schutzart IP54. Lassen Sie über und unter dem Gerät mindestens 100 mm Platz für die Kühlluft. Die zulässige Umgebungstemperatur beträgt -10 °C bis 50 °C; über 40 °C ist der Ausgangsstrom um 2 % je Grad zu verringern."},
		{kind: bullet, text: "Geräte nicht ohne Luftleitblech direkt übereinander montieren."},
		{kind: bullet, text: "Bohrspäne und Aderendhülsen bei der Montage vom Gerät fernhalten."},
		{kind: h2, text: "2.2 Elektrischer Anschluss"},
		{kind: para, text: "Schließen Sie das Netz an die Klemmen L1, L2 und L3 und den Motor an U, V und W an. Verbinden Sie die PE-Klemme mit einer Kupferleitung von mindestens 4 mm² mit der Erdungsschiene des Schaltschranks. Eine kurze, direkte Erdung ist der beste Schutz gegen Abschaltungen durch Erdschluss."},
		{kind: para, text: "Verwenden Sie eine geschirmte Motorleitung und legen Sie den Schirm an beiden Enden auf. Motorleitungen über 50 m benötigen eine Ausgangsdrossel. Ein Bremswiderstand wird an die Klemmen B1 und B2 angeschlossen und mit dem Parameter P3.05 freigegeben."},
		{kind: h2, text: "2.3 Leistungsreduzierung bei großer Aufstellhöhe"},
		{kind: para, text: "Bis 1000 m über dem Meeresspiegel liefert der VF-200 seinen vollen Nennstrom. Oberhalb von 1000 m kühlt die dünnere Luft schlechter: Verringern Sie den Ausgangsstrom um 1 % je 100 m. Die größte zulässige Aufstellhöhe ist 3000 m; in 2000 m Höhe stehen also 90 % des Nennstroms zur Verfügung. Stellen Sie den Motornennstrom P2.01 entsprechend ein."},

		{kind: pageBreak},
		{kind: h1, text: "3 Parameter"},
		{kind: para, text: "Die Parameter werden am Bedienfeld oder über Modbus eingestellt. Geänderte Werte gelten sofort; mit * markierte Parameter lassen sich nur bei stehendem Motor ändern. Die Tabelle nennt die Parameter für die Inbetriebnahme."},
		{kind: table, cols: paramCols, rows: [][]string{
			{"Parameter", "Bezeichnung", "Bereich", "Werkswert"},
			{"P0.01", "Regelverfahren *", "0 = U/f, 1 = Vektor", "0"},
			{"P1.01", "Maximalfrequenz", "50,00–400,00 Hz", "50,00 Hz"},
			{"P1.07", "Beschleunigungszeit", "0,1–3600,0 s", "10,0 s"},
			{"P1.08", "Verzögerungszeit", "0,1–3600,0 s", "10,0 s"},
			{"P2.01", "Motornennstrom *", "0,1–60,0 A", "Modell"},
			{"P3.05", "Bremswiderstand aktiv", "0 = aus, 1 = ein", "0"},
			{"P9.01", "Fehlerquittierung", "0 / 1", "0"},
		}},
		{kind: para, text: "Bei großem Massenträgheitsmoment speist der Motor bei kurzer Verzögerungszeit Energie in den Zwischenkreis zurück. Verlängern Sie die Verzögerungszeit P1.08 oder schließen Sie einen Bremswiderstand an."},

		{kind: h1, text: "4 Fehlercodes"},
		{kind: para, text: "Ein Fehler hält den Motor an und zeigt seinen Code am Bedienfeld. Beseitigen Sie die Ursache und quittieren Sie den Fehler mit der Taste STOP/RESET oder dem Parameter P9.01."},
		{kind: table, cols: faultCols, rows: [][]string{
			{"Code", "Fehler", "Abhilfe"},
			{"E07", "Erdschluss", "Isolation des Motors und PE-Anschluss prüfen"},
			{"E12", "Überspannung", "P1.08 verlängern oder Bremswiderstand einbauen"},
			{"E21", "Übertemperatur", "Kühlkörper reinigen, Lüfter prüfen"},
			{"E30", "Motorüberlast", "Last und Motornennstrom P2.01 prüfen"},
		}},

		{kind: pageBreak},
		{kind: h1, text: "5 Wartung"},
		{kind: para, text: "Schalten Sie vor allen Wartungsarbeiten die Netzspannung ab und warten Sie 5 Minuten (siehe 1)."},
		{kind: bullet, text: "Alle 6 Monate: Staub mit trockener Druckluft vom Kühlkörper entfernen."},
		{kind: bullet, text: "Den Lüfter alle 5 Jahre oder nach 40 000 Betriebsstunden tauschen, je nachdem, was zuerst eintritt. Ein verschlissener Lüfter ist die häufigste Ursache für Übertemperatur (E21)."},
		{kind: bullet, text: "Nach einer Lagerung von mehr als einem Jahr die Zwischenkreiskondensatoren formieren: das Gerät eine Stunde lang ohne laufenden Motor an die Netzspannung legen."},
		{kind: h1, text: "6 Technische Daten"},
		{kind: para, text: "Netzanschluss 3 × 380–480 V, 50/60 Hz. Ausgang 0–400 Hz. Leistungsbereich 0,75 bis 22 kW. Überlastfähigkeit 150 % für 60 s. Schutzart IP20. Gewicht je nach Modell 2,1 bis 9,8 kg."},
	},
}
