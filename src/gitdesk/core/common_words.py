"""Words too common to identify anyone: a value's token that is one of these is not scrubbed alone.

"Leeds" in the location "Leeds office" identifies a place; "office" does not, nor does "Sales"
in "the Sales dashboard". The list is everyday English, service-desk vocabulary, and the generic
words of addresses and company names (in Spanish and Catalan too); see core/scrub.py for how it is used.
"""

from __future__ import annotations

_ENGLISH = """
a about above across act action actually add added after afternoon again against age ago agree ahead
air all allow almost alone along already also although always am among amount an and another answer
any anyone anything anyway anywhere appear apply april are area around arrive art as ask asked at
august available away back bad bag ball bank bar base be became because become been before began
begin behind being believe below best better between big bill bit black block blue board body book
both bottom box boy break bring broke broken brought brown build built business busy but buy by call
called came can cannot car card care carry case cause center central centre certain chair chance
change check child children choose city class clean clear click close closed code cold come coming
common company complete computer contact continue control copy corner cost could country course cover
create cross current cut dark data date day days dead deal dear december decide deep desk did
different direct do does doing done door down draw drive drop due during each early east easy eat
edge either else email end enough enter error even evening event ever every everyone everything
example except expect face fact fail fall family far fast father february feel few field file fill
final find fine finish fire first five fix fixed floor follow following food for form forward found
four free friday friend from front full fun game gave general get getting give given glass go going
gold gone good got great green ground group grow guess had half hall hand happen happy hard has have
he head hear heard heart help her here high hill him his hold home hope hot hour hours house how
however hundred i idea if important in inside instead into is issue it its itself january job join
july june just keep key kind king knew know known land large last late later lead learn least leave
left less let letter level life light like line list little live local long look lost lot love low
made main major make man many march mark market matter may maybe me mean meet member message middle
might mind minute miss monday money month more morning most mother move much must my name near need
never new next nice night nine no none north not note nothing november now number october of off
office often old on once one only open or order other our out outside over own page paper part pass
past pay people per person phone pick piece place plan play please point power press pretty price
print problem program put question quick quickly quite rather reach read ready real really reason
red report rest right ring river road rock room round run said same saturday saw say school screen
second see seem seen sell send sent september set seven several shall she short should show side
sign since single sit six size small so some someone something sometimes soon sorry sound south
space speak special spring square stand start state stay step still stop story street strong such
summer sun sunday support sure system table take taken talk team tell ten test than thank thanks that
the their them then there these they thing things think third this those though three through
thursday time to today together told tomorrow too took top toward town tree tried true try tuesday
turn two under until up upon us use used user using usual very view visit wait walk wall want war
warm was watch water way we wednesday week well went were west what when where whether which while
white who whole why wide will window winter wish with within without woman wood word work working
world would write wrong yard year yes yesterday yet you young your
"""
_DESK = """
access account accounts admin adapter app application approve backup battery broken browser cable
calendar camera charger cloud connection crash dashboard database delete device disk display dock
domain download drive driver error excel export finance folder hardware headset install internet
invoice issue keyboard laptop licence license login logon mailbox meeting monitor mouse network
outlook password payroll permission phone portal printer printing projector queue reset router
sales scanner server service setup share sharepoint slow software storage sync tablet teams ticket
toner tray update upgrade upload vpn webcam wifi wireless
"""
_ADDRESS_AND_ORG = """
and associates avenue bank bay block boulevard bridge building business campus centre center
chambers close co company consulting corp corporation court crescent cross dept department drive
east estate farm floor gardens gate global green group grove hall heights hill holdings house inc
incorporated industries institute international lane limited llc llp ltd lower main manor market
mews mill mount north office offices park parade partners place plc plaza road room row school
services solutions south square station street studio studios suite systems technologies terrace
the tower town trust unit university upper view village way west wharf wing yard
"""
# The same for Spanish- and Catalan-speaking customers (docs/i18n.md): "planta" in "Tailspin Madrid,
# planta 2" or "sala de reunions" in a location is no clue either, and their titles are full of them.
_DESK_ES_CA = """
acceso accés actualización actualització archivo arxiu bandeja batería bateria cargador carregador
carpeta contraseña contrasenya copia còpia correo correu cuenta compte escáner escàner factura fitxer
impresora impresoras impressora impressores licencia llicència monitor nómina nòmina ordenador
ordinador pantalla portátil portàtil proyector projector ratón ratolí red safata seguridad seguretat
servidor sesión sessió teclado teclat tóner tòner usuario usuari wifi xarxa
"""
_ADDRESS_ES_CA = """
almacén ajuntament avenida avinguda ayuntamiento baixa baja botiga calle campus carrer centro
centre cuarta delegació delegación departament departamento despacho despatx direcció dirección
edifici edificio empresa escola escuela grup grupo hospital juntas juntes local magatzem nau nave
oficina oficinas oficines paseo passeig pis piso planta polígon polígono primera quarta
recepció recepción reunió reunión reuniones reunions salas sede segona segunda seu sociedad
societat sucursal tercera tienda universidad universitat con del els las les los para per por una
"""

# Everyday Spanish and Catalan words that are surnames too (Marta Sala, Luis Plaza): kept in running
# text, removed where written as a name, so never generic (English addresses list "plaza" too).
_EVERYDAY_ES_CA = "sala plaza plaça"
# Words of the trade and of addresses: never a clue to who or where, however they are written.
GENERIC = (
    frozenset((_DESK + _ADDRESS_AND_ORG + _DESK_ES_CA + _ADDRESS_ES_CA).split())
    | frozenset("a an and at by for from in of on or the to with".split())
) - frozenset(_EVERYDAY_ES_CA.split())
COMMON = frozenset((_ENGLISH + _EVERYDAY_ES_CA).split()) | GENERIC
